import { UserError } from '../errors.js';

/** `git:REF:PATH`: a file as a git revision holds it (PATH from the repository's root, ./PATH from cwd). */
export function isGitReference(reference: string): boolean {
  return reference.startsWith('git:');
}

/** `git:REF:PATH` → its parts. A ref never holds a ':' (git forbids it in names), so the first one ends it. */
function parseGitReference(reference: string): { ref: string; path: string } {
  const match = /^git:([^:]+):(.+)$/.exec(reference);
  if (!match?.[1] || !match[2] || match[1].startsWith('-')) {
    throw new UserError('expected git:REF:PATH, e.g. git:main:gates/baselines/main.json', {
      file: reference,
    });
  }
  return { ref: match[1], path: match[2] };
}

/**
 * The text of `git:REF:PATH`, read with `git show` in `cwd`. When git refuses, it asks git why, so the
 * message says what to do: not a repository, a revision a shallow clone does not hold (the usual CI
 * checkout), or a path the revision does not have.
 */
export async function readGitFile(reference: string, cwd: string): Promise<string> {
  const { ref, path } = parseGitReference(reference);
  const shown = await git(['show', `${ref}:${path}`], cwd);
  if (shown.ok) return shown.stdout;
  const fail = (message: string) => new UserError(message, { file: reference });
  if (!(await git(['rev-parse', '--git-dir'], cwd)).ok) {
    throw fail(`${cwd} is not in a git repository, so there is no revision '${ref}' to read`);
  }
  if (!(await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], cwd)).ok) {
    const shallow = (await git(['rev-parse', '--is-shallow-repository'], cwd)).stdout.trim() === 'true';
    throw fail(
      shallow
        ? `revision '${ref}' is not in this clone, which is shallow (it holds only the latest commits): fetch the history with 'git fetch --unshallow', or one branch with ${fetchBranch(ref)}; in GitHub Actions, check out with 'fetch-depth: 0' (actions/checkout)`
        : `unknown revision '${ref}' in the git repository of ${cwd}`,
    );
  }
  throw fail(
    `revision '${ref}' has no file '${path}' (paths start at the repository's root): ${firstLine(shown.stderr)}`,
  );
}

/**
 * How to fetch one branch so that a revision names it: into refs/remotes/origin/, spelled out because a
 * single-branch clone (what `--depth` makes) fetches a named branch into FETCH_HEAD only.
 */
function fetchBranch(ref: string): string {
  const branch = /^[\w./-]+$/.test(ref) && ref !== 'HEAD' ? ref : '<branch>';
  return `'git fetch origin ${branch}:refs/remotes/origin/${branch}' and read it as git:origin/${branch}:PATH`;
}

interface GitOutput {
  ok: boolean;
  stdout: string;
  stderr: string;
}

async function git(args: string[], cwd: string): Promise<GitOutput> {
  // Loaded here, not at start-up: only a git: baseline needs a subprocess (execa costs ~70 ms to load).
  const { execa } = await import('execa');
  const result = await execa('git', args, { cwd, reject: false, stripFinalNewline: false });
  if (result.exitCode === undefined) {
    // Not spawned (git missing, or cwd is no folder) or killed: git could not answer at all.
    throw new UserError(`cannot run git in ${cwd}: ${firstLine(String(result.shortMessage))}`);
  }
  return { ok: result.exitCode === 0, stdout: result.stdout, stderr: result.stderr };
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
