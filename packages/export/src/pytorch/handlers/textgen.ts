/** The handler of textgen's `TextGenerationModel`. */
import { TextGenerationModel } from '@tensorloom/textgen';
import { CHAR_VOCAB_PY, TEXT_GENERATION_MODEL_PY } from '../python/textgen.js';
import { handler, pythonReturn } from './leaves.js';

/**
 * `TextGenerationModel`: its options are the model's config (what a textgen checkpoint stores), its
 * modules the embedding, the LSTM and the linear layer. The Python model runs batch-first (tensorloom's
 * runs time-major inside; no parameter differs), so the LSTM's spec says `batchFirst: true`.
 */
export const TEXT_GENERATION_HANDLER = handler(
  'TextGenerationModel',
  TextGenerationModel,
  (m) => ({ ...m.config }),
  pythonReturn('TextGenerationModel', ["modules['embedding']", "modules['lstm']", "modules['linear']", "dropout=options['dropout']"]),
  {
    spec: (module, context) => {
      const model = module as TextGenerationModel;
      const lstm = context.child('lstm');
      return {
        type: 'TextGenerationModel',
        options: { ...model.config },
        modules: {
          embedding: context.child('embedding'),
          lstm: { ...lstm, options: { ...lstm.options, batchFirst: true } },
          linear: context.child('linear'),
        },
      };
    },
    definitions: () => [TEXT_GENERATION_MODEL_PY, CHAR_VOCAB_PY],
  },
);
