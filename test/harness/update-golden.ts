// UPDATE_GOLDEN=1 tells the golden-file tests (render fixtures, manifests shown in the docs) to
// rewrite what they compare against instead of comparing. One parser for every such test, so that
// UPDATE_GOLDEN=0 (or any value but 1) means "compare" everywhere, not "rewrite" in some tests.

/** True exactly when UPDATE_GOLDEN is "1". */
export function updateGolden(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.UPDATE_GOLDEN === '1';
}
