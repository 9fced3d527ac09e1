// An integrator's use of the TypeScript types that openapi-typescript
// generates from the API's OpenAPI document: `make openapi-check` generates
// openapi.d.ts beside a copy of this file (bin/ts/) and compiles both with
// `tsc --noEmit --strict`, so a document whose generated types do not
// compile, or that loses one of the shapes below, fails the check.
import type { components, operations, paths } from "./openapi";

type Schemas = components["schemas"];

// A compile-time assertion: Assert<X> compiles only for X = true.
type Assert<T extends true> = T;
type Is<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

// GET /partners answers JSON or CSV: each media type has its own type.
type Directory = paths["/api/v1/partners"]["get"];
type DirectoryOK = Directory["responses"][200]["content"];
type DirectoryPage = DirectoryOK["application/json"];
type DirectoryCSV = DirectoryOK["text/csv"];
export type _csvIsText = Assert<Is<DirectoryCSV, string>>;

export function partnerLines(page: DirectoryPage): string[] {
  return page.items.map((p) => `${p.name} (${p.type}, ${p.status}), version ${p.version}`);
}

export function csvRows(csv: DirectoryCSV): number {
  return csv.trimEnd().split("\n").length - 1; // a header row first
}

export const firstPage: NonNullable<Directory["parameters"]["query"]> = {
  limit: 50,
  offset: 0,
  sort: "-created_at",
  format: "json",
  total: false,
};

// The error body, and its closed set of codes.
type ErrorBody = Schemas["APIErrorBody"];
type Code = ErrorBody["error"]["code"];

export function retryable(e: ErrorBody): boolean {
  switch (e.error.code) {
    case "rate_limited":
    case "unavailable":
      return true;
    default:
      return false;
  }
}

export function fieldProblems(e: ErrorBody): string[] {
  return Object.entries(e.error.fields ?? {}).map(([field, problem]) => `${field}: ${problem}`);
}

// An action without a body takes If-Match (412 when it does not hold,
// atomically with the change) and, as every POST, an Idempotency-Key.
type Suspend = operations["postPartnersIdSuspend"];
export const conditional: NonNullable<Suspend["parameters"]["header"]> = {
  "If-Match": '"3"',
  "Idempotency-Key": "01J9Z3K7Q4M8R2T6V0X5B1N3C7",
};
const stale: Code = "precondition_failed";
export const changedMeanwhile: Suspend["responses"][412]["content"]["application/json"] = {
  error: { code: stale, message: "If-Match does not hold: partner PA-1 changed since it was read" },
};
export const keyReused: operations["postPartners"]["responses"][422]["content"]["application/json"] = {
  error: { code: "idempotency_key_reused", message: "use a new key for a new request" },
};
export type _suspended = Assert<Is<Suspend["responses"][200]["content"]["application/json"], Schemas["PartnersAccount"]>>;

// Decimals travel as strings, never as numbers that would lose digits.
type Terms = Schemas["CapacityTerms"];
export type _decimalIsString = Assert<Is<Terms["reserved_tb"], string>>;

export function reservedTB(t: Terms): number {
  return Number.parseFloat(t.reserved_tb);
}
