/** The Python side of `@tensorloom/textgen`: the character model, its vocabulary and sampling. */
import type { PythonDefinition } from '../spec.js';

/** tensorloom's `TextGenerationModel`, on `nn.Embedding`, `nn.LSTM(batch_first=True)` and `nn.Linear`. */
export const TEXT_GENERATION_MODEL_PY: PythonDefinition = {
  name: 'TextGenerationModel',
  source: String.raw`class TextGenerationModel(nn.Module):
    """tensorloom's character-level language model (@tensorloom/textgen):

        logits_t = linear(dropout(h_t)),  h_t = LSTM(embedding(x_t), state)

    forward(tokens [B, T] int64, state=None) -> (logits [B, T, V], (h, c)), h and c [L, B, H]
    (zeros when state is None). Dropout p acts between the LSTM layers (inside nn.LSTM) and
    before the linear layer, in training mode only, as in tensorloom. Parameters: embedding.weight
    [V, E], lstm.weight_ih_l{k} / weight_hh_l{k} / bias_ih_l{k} / bias_hh_l{k} (gates i, f, g, o),
    linear.weight [V, H], linear.bias [V].
    """

    def __init__(self, embedding, lstm, linear, dropout=0.0):
        super().__init__()
        if not lstm.batch_first:
            raise ValueError('TextGenerationModel: the LSTM must be batch_first')
        self.embedding = embedding
        self.lstm = lstm
        self.linear = linear
        self.dropout = dropout

    def forward(self, tokens, state=None):
        output, state = self.lstm(self.embedding(tokens), state)
        output = F.dropout(output, self.dropout, self.training)
        return self.linear(output), state`,
};

/** The vocabulary of `vocab.json` (tensorloom's `CharTokenizer`) and sampling. */
export const CHAR_VOCAB_PY: PythonDefinition = {
  name: 'CharVocab',
  source: String.raw`def describe_char(ch):
    """A character for a message: printable ones quoted, the others by code point."""
    return repr(ch) if ch.isprintable() else f'U+{ord(ch):04X}'


class CharVocab:
    """vocab.json (tensorloom's CharTokenizer): one id per character (code point), '<unk>' at id 0
    when unknown == 'token'. encode(text) -> list of ids; a character outside the vocabulary is a
    ValueError naming every such character (or id 0 with unknown == 'token'); decode(ids) -> str."""

    def __init__(self, saved):
        if saved.get('format') != 'tensorloom.char-tokenizer' or saved.get('version') != 1:
            raise ValueError('CharVocab: not a tensorloom.char-tokenizer of version 1')
        self.chars = list(saved['chars'])
        self.lowercase = bool(saved['lowercase'])
        self.unknown = saved['unknown']
        self.offset = 1 if self.unknown == 'token' else 0
        self.ids = {ch: i + self.offset for i, ch in enumerate(self.chars)}

    @classmethod
    def load(cls, path):
        with open(path, encoding='utf-8') as handle:
            return cls(json.load(handle))

    @property
    def size(self):
        return len(self.chars) + self.offset

    def encode(self, text):
        if self.lowercase:
            text = text.lower()
        ids = [self.ids.get(ch, -1) for ch in text]
        if -1 in ids:
            if self.unknown == 'token':
                return [0 if i == -1 else i for i in ids]
            counts = collections.Counter(ch for ch in text if ch not in self.ids)
            listed = ', '.join(f'{describe_char(ch)} ({n}x)' for ch, n in counts.most_common(20))
            more = f' and {len(counts) - 20} more' if len(counts) > 20 else ''
            raise ValueError(f'the text has {len(counts)} character(s) that are not in vocab.json: {listed}{more}')
        return ids

    def decode(self, ids):
        return ''.join('\ufffd' if i < self.offset else self.chars[i - self.offset] for i in ids)


@torch.no_grad()
def generate(model, vocab, prompt, length=30, temperature=1.0, generator=None):
    """prompt + length characters sampled from softmax(logits / temperature), one at a time."""
    model.eval()
    device = next(model.parameters()).device
    tokens = torch.tensor([vocab.encode(prompt)], dtype=torch.long, device=device)
    logits, state = model(tokens)
    out = []
    for _ in range(length):
        probs = torch.softmax(logits[0, -1].double() / temperature, dim=-1).cpu()
        token = int(torch.multinomial(probs, 1, generator=generator))
        out.append(token)
        logits, state = model(torch.tensor([[token]], dtype=torch.long, device=device), state)
    return prompt + vocab.decode(out)`,
};
