import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** A file that runs the built server or page (dist/) builds it first, through scripts/ensure-build.cjs. */
function needsBuild(file: string): boolean {
  return /\bensureBuild\(|ensure-build/.test(fs.readFileSync(file, 'utf8'));
}

/**
 * Vitest's order (failed first, then longest first as far as it knows, else
 * largest first), with one change for the files that need dist/: the build
 * starts at once beside the first files (one `scripts/ensure-build.cjs` in the
 * background, which does nothing when dist/ is current), and those files are
 * queued after the first third of the others, by when the build is done. So
 * neither worker sits waiting for the build at the start, and those long files
 * (they start real server processes) are not left for the end, where one
 * worker would run them alone.
 */
export class TestSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const building = sorted.filter((f) => needsBuild(f.moduleId));
    if (building.length === 0) return sorted;
    const root = this.ctx.config.root;
    // Its output is not shown: a file that needs the build runs ensure-build itself, which
    // waits for this one (a lock) and builds again, showing why, if this one failed.
    spawn(process.execPath, [path.join(root, 'scripts/ensure-build.cjs')], { cwd: root, stdio: 'ignore' }).on('error', () => undefined);
    const others = sorted.filter((f) => !building.includes(f));
    const at = Math.ceil(others.length / 3);
    return [...others.slice(0, at), ...building, ...others.slice(at)];
  }
}
