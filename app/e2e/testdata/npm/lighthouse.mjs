// lighthouse.mjs scores pages with Lighthouse's accessibility and best
// practices categories for TestBrowserAccessibility (app/e2e/a11y_test.go).
// It runs from the folder the npm tools are installed in (bin/npm), where
// package.json and package-lock.json beside this file pin them.
//
//   node lighthouse.mjs plan.json
//
// plan.json: {"chromePath": "...", "chromeFlags": [...], "runs": [{"name":
// "directory", "url": "http://…/", "formFactor": "mobile" | "desktop",
// "ready": "tr.partner-row", "cookies": [{"name": "…", "value": "…",
// "httpOnly": true}]}]}.
//
// Lighthouse cannot sign in by itself: each run gets a fresh browser
// context whose cookies are the session the test signed in with (an
// HttpOnly session cookie and the PWA's signed-in hint), then the script
// navigates a page of that context (puppeteer) inside a Lighthouse user
// flow's navigation, which it ends once the page shows the element "ready"
// names. One browser serves every run. Each run prints one JSON line: the
// scores and every audit of the two categories that did not pass, with
// the elements it names.
import fs from 'node:fs';
import * as chromeLauncher from 'chrome-launcher';
import {startFlow} from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import puppeteer from 'puppeteer-core';

const plan = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const categories = ['accessibility', 'best-practices'];

const chrome = await chromeLauncher.launch({chromePath: plan.chromePath, chromeFlags: plan.chromeFlags});
let failed = false;
try {
  const browser = await puppeteer.connect({browserURL: `http://127.0.0.1:${chrome.port}`, defaultViewport: null});
  for (const run of plan.runs) {
    const context = await browser.createBrowserContext();
    try {
      const page = await context.newPage();
      if (run.cookies?.length > 0) {
        await page.setCookie(...run.cookies.map(c => ({...c, url: run.url})));
      }
      const base = run.formFactor === 'desktop' ? desktopConfig : {extends: 'lighthouse:default'};
      // The default, simulated throttling loads the page at full speed (it
      // only models the performance figures, which are not asked for here);
      // the page has rendered when the navigation ends, so a shorter quiet
      // time than the default 1 s is enough to catch late console errors.
      const config = {...base, settings: {...(base.settings || {}), onlyCategories: categories, disableFullPageScreenshot: true,
        pauseAfterFcpMs: 500, pauseAfterLoadMs: 500, networkQuietThresholdMs: 500, cpuQuietThresholdMs: 500}};
      // A navigation the script makes: Lighthouse gathers once the page
      // shows run.ready (the app has rendered its data), not the loader.
      const flow = await startFlow(page, {config, flags: {logLevel: 'error'}});
      await flow.startNavigation({name: run.name});
      await page.goto(run.url);
      const rendered = run.ready ? await page.waitForSelector(run.ready, {visible: true, timeout: 60000}).then(() => true, () => false) : true;
      await flow.endNavigation();
      const lhr = (await flow.createFlowResult()).steps[0].lhr;
      const failing = [];
      for (const id of categories) {
        for (const ref of lhr.categories[id].auditRefs) {
          const audit = lhr.audits[ref.id];
          if (audit.score === null || audit.score >= 1 || audit.scoreDisplayMode === 'informative' ||
              audit.scoreDisplayMode === 'notApplicable' || audit.scoreDisplayMode === 'manual') {
            continue;
          }
          const items = (audit.details?.items || []).slice(0, 8).map(item =>
            item.node?.selector || item.node?.snippet || item.description || item.source?.url || item.url ||
            JSON.stringify(item).slice(0, 200));
          failing.push({id: ref.id, category: id, weight: ref.weight, title: audit.title, items});
        }
      }
      console.log(JSON.stringify({name: run.name, formFactor: run.formFactor, url: lhr.finalDisplayedUrl, rendered,
        accessibility: lhr.categories.accessibility.score, bestPractices: lhr.categories['best-practices'].score,
        runtimeError: lhr.runtimeError?.message, warnings: lhr.runWarnings, failing}));
    } catch (err) {
      failed = true;
      console.log(JSON.stringify({name: run.name, formFactor: run.formFactor, error: String(err && err.stack || err)}));
    } finally {
      await context.close();
    }
  }
  await browser.disconnect();
} finally {
  await chrome.kill();
}
process.exit(failed ? 1 : 0);
