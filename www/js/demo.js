// The demo files the page offers ("start from the demo").
// (Interface shared by the page modules; where the text comes from is this file's business.)
// The text is built into pkg/demo-files.js from www/demo/ (scripts/build.sh), so nothing is
// fetched; www/demo/ keeps the same files for download.
import { DEMO_FILES } from '../pkg/demo-files.js';

/** The demo files: what the button says and the file name the page shows. */
export const DEMOS = [
  { label: 'Load demo file', name: 'token2-demo.json' },
  { label: 'Load demo CSV', name: 'legacy-demo.csv' },
];

/** Resolves to the text of the demo file called `name` (one of DEMOS). */
export async function demoText(name) {
  if (!DEMOS.some((d) => d.name === name) || !Object.hasOwn(DEMO_FILES, name)) throw new Error(`no demo file ${name}`);
  return DEMO_FILES[name];
}
