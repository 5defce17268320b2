import { ValueError } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { createSequenceTask } from './create-task.js';
import { SEQUENCE_TASK_NAMES, type SequenceTaskName } from './sequence-task.js';

describe('createSequenceTask', () => {
  it('builds each course task by name', () => {
    for (const name of SEQUENCE_TASK_NAMES) expect(createSequenceTask(name, { length: 4 }).name).toBe(name);
    expect(createSequenceTask('baum-sweet', { length: 6 }).inputLength).toBe(20);
  });

  it('rejects an unknown name', () => {
    expect(() => createSequenceTask('parity' as SequenceTaskName, { length: 4 })).toThrow(ValueError);
  });
});
