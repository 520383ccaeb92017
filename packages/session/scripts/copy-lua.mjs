// tsc does not copy non-TypeScript files; the Lua scripts are read at run time from dist.
import { cpSync } from 'node:fs';
cpSync('src/core/scripts', 'dist/src/core/scripts', {
  recursive: true,
  filter: (src) => !src.endsWith('.ts'),
});
