/**
 * npm run bench: every bench/*.bench.ts in turn. Each prints its numbers as
 * ratios against a baseline measured in the same run. `npm run bench -- loss`
 * runs only the benches whose file name contains "loss".
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts') && filters.every((w) => f.includes(w)))
    .sort();
  for (const file of files) {
    console.log(`\n## ${file.replace('.bench.ts', '')}`);
    const mod = (await import(path.join(__dirname, file))) as { default: (print: (line: string) => void) => Promise<void> };
    await mod.default((line) => console.log(line));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
