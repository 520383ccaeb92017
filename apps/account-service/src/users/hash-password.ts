import { PasswordHash } from './password-hash.js';

/**
 * Prints the `scrypt$N$r$p$salt$hash` string of a password, for `DEMO_USERS`:
 *
 *   node dist/src/users/hash-password.js 'correct horse'
 *   printf %s 'correct horse' | node dist/src/users/hash-password.js   # keeps it out of shell history
 */
async function main(): Promise<void> {
  const password = process.argv[2] ?? (process.stdin.isTTY ? undefined : await readStdin());
  if (!password) {
    console.error('usage: node dist/src/users/hash-password.js <password>   (or pipe it on stdin)');
    process.exit(2);
  }
  console.log((await PasswordHash.create(password)).toString());
}

/** @private A trailing newline from `echo` is not part of the password. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

await main();
