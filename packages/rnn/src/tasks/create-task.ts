import { ValueError } from '@tensorloom/core-tensor';
import { baumSweetTask } from './baum-sweet.js';
import { palindromeTask } from './palindrome.js';
import { randomCombinationTask } from './random-combination.js';
import { SEQUENCE_TASK_NAMES, type SequenceTask, type SequenceTaskName, type SequenceTaskOptions } from './sequence-task.js';

/**
 * Builds a course task by name: 'palindrome' (`palindromeTask`), 'baum-sweet' (`baumSweetTask`)
 * or 'random-combination' (`randomCombinationTask`). Throws a ValueError on another name.
 *
 * @example createSequenceTask('baum-sweet', { length: 6 }).inputLength // 20
 */
export function createSequenceTask(name: SequenceTaskName, options: SequenceTaskOptions): SequenceTask {
  switch (name) {
    case 'palindrome':
      return palindromeTask(options);
    case 'baum-sweet':
      return baumSweetTask(options);
    case 'random-combination':
      return randomCombinationTask(options);
    default:
      throw new ValueError(`createSequenceTask: unknown task '${String(name)}'; expected one of ${SEQUENCE_TASK_NAMES.join(', ')}`);
  }
}
