/** Repeats the skip warning at the end, where nobody can miss it. */
export default async function globalTeardown(): Promise<void> {
  const skipped = process.env.SSS_TEST_SKIPPED;
  if (skipped) console.warn(`\n!!! SKIPPED BACKENDS (not tested):\n  ${skipped}\n`);
}
