'use strict';

/** The value after `--<name>` on the command line, or `fallback`: the flags of the smaller benchmarks. */
function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
}

module.exports = { option };
