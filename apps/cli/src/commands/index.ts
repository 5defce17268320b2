import type { Command } from '../cli.js';
import { demoCommand } from './demo.js';

/** Every `tensorloom` command. */
export const commands: readonly Command[] = [demoCommand];
