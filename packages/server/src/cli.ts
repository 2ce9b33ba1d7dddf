// The `claude-gauge` entry. It loads nothing but what it needs before deciding: a report asked
// again on unchanged transcripts is printed from its saved answer, without loading the CLI, core
// or zod (their load is most of a warm report's time); everything else goes to the dispatcher.
const argv = process.argv.slice(2);

async function answered(): Promise<boolean> {
  if (argv[0] !== "report") return false;
  let out = null;
  try {
    const { savedAnswer } = await import("./commands/report-answer.js");
    out = await savedAnswer(argv.slice(1), { env: process.env, stdoutIsTTY: process.stdout.isTTY === true });
  } catch {
    // whatever went wrong here, the report itself can still be run
  }
  if (out === null) return false;
  process.stderr.write(out.stderr);
  process.stdout.write(out.stdout);
  return true;
}

if (!(await answered())) process.exitCode = await (await import("./commands/dispatch.js")).main(argv);
