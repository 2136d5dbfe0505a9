import { FAULTS_DIR_ENV, makeFaultsDir } from './faults-dir';

/** One temporary folder for every server the fault tests start; the teardown removes it. */
export default function globalSetup(): void {
  const dir = makeFaultsDir();
  process.env[FAULTS_DIR_ENV] = dir;
  console.log(`\nFault-test servers live in ${dir}`);
}
