// The fixture home of the VS Code-family sources (agent/test/fixtures/vscode/generate.py).
import { fileURLToPath } from 'node:url';
import { copyHome, type Home } from './logs.ts';

export const VSCODE_HOME = fileURLToPath(new URL('../fixtures/vscode/home', import.meta.url));
export const VSCODE_FIXTURES = fileURLToPath(new URL('../fixtures/vscode', import.meta.url));

export function copyVscodeHome(): Home {
  return copyHome(VSCODE_HOME);
}
