'use strict';

/**
 * Copies the last run's report and chart to where the docs find them:
 * bench/results/results.md → bench/RESULTS.md, bench/results/chart.svg → bench/chart.svg.
 * `npm run bench -- --publish` does it after a run. `npm run bench:publish` does it alone, and
 * first draws the report and chart again from results.json, so a change to the report needs no
 * new run.
 */
const fs = require('node:fs');
const path = require('node:path');

const RESULTS_DIR = path.join(__dirname, 'results');
const PUBLISHED = [
  ['results.md', 'RESULTS.md'],
  ['chart.svg', 'chart.svg'],
];

function publish() {
  for (const [from, to] of PUBLISHED) {
    const source = path.join(RESULTS_DIR, from);
    if (!fs.existsSync(source))
      throw new Error(
        `nothing to publish: ${path.relative(process.cwd(), source)} is missing; run npm run bench first`,
      );
    fs.copyFileSync(source, path.join(__dirname, to));
  }
  return PUBLISHED.map(([, to]) => path.join('bench', to));
}

/** Writes results.md and chart.svg again from results.json, the targets checked again too. */
function rerender() {
  const { renderMarkdown } = require('./report/markdown');
  const { renderSvg } = require('./report/svg');
  const { evaluateTargets } = require('./targets');
  const results = JSON.parse(fs.readFileSync(path.join(RESULTS_DIR, 'results.json'), 'utf8'));
  results.targets = evaluateTargets(results.backends, results.heap);
  fs.writeFileSync(path.join(RESULTS_DIR, 'results.md'), renderMarkdown(results));
  fs.writeFileSync(path.join(RESULTS_DIR, 'chart.svg'), renderSvg(results));
}

if (require.main === module) {
  try {
    if (fs.existsSync(path.join(RESULTS_DIR, 'results.json'))) rerender();
    console.log(`published ${publish().join(' and ')}`);
  } catch (error) {
    console.error(error.message);
    process.exitCode = 1;
  }
}

module.exports = { publish, RESULTS_DIR };
