// Package capacity will hold capacity contracts (reserved terabytes),
// allocations, transfers, storage accounts, usage rollups, reports, fees and
// deals. It imports the contracts and partners domains and no storage code.
package capacity
