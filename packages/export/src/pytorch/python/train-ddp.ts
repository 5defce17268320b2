/**
 * `train_ddp.py`: continues training an exported text model with DistributedDataParallel, as
 * tensorloom's `Trainer` trains (random windows, teacher forcing, cross-entropy, global-norm
 * clipping, Adam), and writes tensorloom textgen checkpoints that also hold the state to resume
 * the run exactly (`ddp_state.pt`: Adam's state, the step, the arguments, every process's generators).
 */
export const TRAIN_DDP_PY = String.raw`#!/usr/bin/env python3
"""Continues training an exported tensorloom text model with PyTorch's DistributedDataParallel.

    torchrun --standalone --nproc_per_node 2 train_ddp.py --corpus book.txt --steps 2000 --out run/latest --resume

Every process reads the corpus, encodes it with vocab.json (a character outside it is an error that
names it) and trains on its own random windows of seq + 1 characters (generator seeded seed + rank);
DDP averages the gradients. One step, as tensorloom's Trainer: --batch windows from the zero state,
teacher forcing, the mean cross-entropy over every prediction, clipping of the global gradient norm
to --clip, Adam. Backend gloo on CPU, nccl when CUDA is available. Rank 0 logs the loss (averaged
over the processes) and writes a tensorloom textgen checkpoint folder at --out every
--checkpoint-every steps and at the end, atomically; @tensorloom/textgen's loadCheckpoint (and the
tensorloom CLI) read it: the weights, vocab.json and config.json (hasTrainerState false: tensorloom's
Trainer cannot resume it), and ddp_state.pt, from which --resume goes on exactly.
"""
import argparse
import hashlib
import io
import json
import math
import os
import re
import shutil
import sys
import time
from datetime import datetime, timezone

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from model import CharVocab, describe_char, load, load_safetensors, safetensors_bytes  # noqa: E402

STATE_FILE = 'ddp_state.pt'
STATE_FORMAT = 'tensorloom.train-ddp-state'

EPILOG = """steps:
  --steps, --checkpoint-every and the log count the steps of this run, from the export (its step 0).
  config.json's step is the total: the export's own step (metadata.step of the export's config.json,
  which tensorloom's 'export pytorch' records; 0 without one) plus this run's steps.

resuming a run that was stopped (a pre-empted job, say):
  Each checkpoint also holds ddp_state.pt: Adam's state, the run's step and arguments, and every
  process's generator states. --resume DIR starts from DIR's weights and that state and goes on to
  --steps exactly as the run would have gone on without the stop: a run to --steps 50 that was killed
  after its checkpoint at step 25 and started again with the same command line plus --resume trains
  steps 26 to 50 and ends at step 50 (not 75). It needs the export the run started from (another
  vocab.json or model config is refused) and as many processes as the run had (another world size is
  refused: each process's windows come from its own generator). Other --batch, --seq, --lr, --clip
  or corpus are used as given, with a note: the run then goes on, but not as it would have.
  --resume without DIR resumes --out when it holds a checkpoint and starts from the export when it
  does not, so one command line serves the first launch and every restart; a checkpoint that is at
  --steps already is left as it is ('nothing to do', exit status 0), one past it is refused.
  A --out that already holds a checkpoint is refused unless --resume continues that checkpoint or
  --overwrite is given (start afresh; the old checkpoint is replaced at the first write).
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Continue training an exported tensorloom text model with DDP (launch with torchrun).',
                                     epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--corpus', required=True, help='the UTF-8 text file to train on')
    parser.add_argument('--steps', type=int, required=True,
                        help='the step of this run to train to, counted from the export (a resumed run ends there too)')
    parser.add_argument('--out', required=True, help='the checkpoint folder to write (replaced atomically)')
    parser.add_argument('--resume', nargs='?', const='', metavar='DIR',
                        help="go on from the checkpoint DIR (a checkpoint folder or a run folder with a 'latest' one) "
                             'exactly; without DIR: from --out when it holds a checkpoint, else from the export')
    parser.add_argument('--overwrite', action='store_true', help='start afresh even when --out holds a checkpoint (replacing it)')
    parser.add_argument('--batch', type=int, default=64, help='windows per process and step (default 64)')
    parser.add_argument('--seq', type=int, default=30, help='characters per window, T (default 30)')
    parser.add_argument('--lr', type=float, default=2e-3, help="Adam's learning rate (default 0.002)")
    parser.add_argument('--clip', type=float, default=5.0, help='the largest global gradient norm, 0 for no clipping (default 5)')
    parser.add_argument('--checkpoint-every', type=int, default=0,
                        help='also write the checkpoint every N steps (default: only at the end)')
    parser.add_argument('--log-every', type=int, default=1, help='print the loss every N steps (default 1)')
    parser.add_argument('--seed', type=int, default=0, help='process r draws its windows and dropout masks with seed + r (default 0)')
    parser.add_argument('--export', default=HERE,
                        help="the export folder: config.json, model.safetensors, vocab.json (default: this script's)")
    args = parser.parse_args(argv)
    for name in ('steps', 'batch', 'seq', 'log_every'):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be a positive integer, got {getattr(args, name)}")
    if args.checkpoint_every < 0 or args.clip < 0 or not args.lr > 0:
        parser.error('--checkpoint-every and --clip must be >= 0 and --lr > 0')
    return args


# ---- checkpoints, as @tensorloom/textgen's writeDirectoryAtomically writes them --------------------

_DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz'
_counter = [0]


def _base36(n):
    out = ''
    while True:
        n, r = divmod(n, 36)
        out = _DIGITS[r] + out
        if n == 0:
            return out


def _stamp():
    _counter[0] += 1
    return f'{os.getpid()}-{_base36(int(time.time() * 1000))}-{_base36(_counter[0])}'


def _stamp_time(name):
    match = re.search(r'-([0-9a-z]+)-[0-9a-z]+$', name)
    return int(match.group(1), 36) if match else 0


def _leftovers(parent, base, kind):
    """The .<base>.<kind>-<stamp> siblings a killed writer left, newest first."""
    prefix = f'.{base}.{kind}-'
    names = os.listdir(parent) if os.path.isdir(parent) else []
    return sorted((n for n in names if n.startswith(prefix)), key=_stamp_time, reverse=True)


def resolve_directory(path):
    """path, or the copy a writer killed between its two renames moved aside, or None: what tensorloom reads."""
    path = os.path.abspath(path)
    if os.path.exists(path):
        return path
    parent, base = os.path.split(path)
    aside = _leftovers(parent, base, 'old')
    return os.path.join(parent, aside[0]) if aside else None


def find_checkpoint(path):
    """The checkpoint folder path names (itself, or a run folder's 'latest'), as loadCheckpoint finds it; or None."""
    for candidate in (path, os.path.join(path, 'latest')):
        found = resolve_directory(candidate)
        if found is not None and os.path.isfile(os.path.join(found, 'config.json')):
            return found
    return None


def write_directory_atomically(target, files):
    """Writes {name: bytes} as the folder target: into a hidden sibling .<name>.tmp-<stamp>, then
    renamed into place (an existing folder moved aside to .<name>.old-<stamp> first), so a reader
    sees the old folder or the new one, never a mixture; tensorloom's loaders find the aside copy
    if a writer dies between the two renames."""
    target = os.path.abspath(target)
    parent, base = os.path.dirname(target), os.path.basename(target)
    os.makedirs(parent, exist_ok=True)
    if not os.path.exists(target):
        previous = _leftovers(parent, base, 'old')
        if previous:
            os.rename(os.path.join(parent, previous[0]), target)
    stamp = _stamp()
    temp = os.path.join(parent, f'.{base}.tmp-{stamp}')
    aside = os.path.join(parent, f'.{base}.old-{stamp}')
    os.mkdir(temp)
    moved = False
    try:
        for name, data in files.items():
            with open(os.path.join(temp, name), 'xb') as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        if os.path.exists(target):
            os.rename(target, aside)
            moved = True
        os.rename(temp, target)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        if moved and not os.path.exists(target):
            os.rename(aside, target)
        raise
    for kind in ('old', 'tmp'):
        for name in _leftovers(parent, base, kind):
            shutil.rmtree(os.path.join(parent, name), ignore_errors=True)


def _pack(value, tensors, path):
    if isinstance(value, torch.Tensor):
        tensors[path] = value.detach().cpu()
        return {'__tensor__': path}
    if isinstance(value, dict):
        return {str(key): _pack(item, tensors, f'{path}.{key}') for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_pack(item, tensors, f'{path}.{i}') for i, item in enumerate(value)]
    return value


def _unpack(value, tensors):
    if isinstance(value, dict):
        if list(value) == ['__tensor__']:
            return tensors[value['__tensor__']]
        return {key: _unpack(item, tensors) for key, item in value.items()}
    if isinstance(value, list):
        return [_unpack(item, tensors) for item in value]
    return value


def state_bytes(state):
    """ddp_state.pt: torch.save of the JSON of state (tensors replaced by names) and its tensors by name, so
    torch.load(weights_only=True) reads it (no pickled code; torch 1.13's safe loader knows no floats)."""
    tensors = {}
    packed = json.dumps(_pack(state, tensors, 'state'))
    buffer = io.BytesIO()
    torch.save({'format': STATE_FORMAT, 'version': 1, 'json': packed, 'tensors': tensors}, buffer)
    return buffer.getvalue()


def read_state(path):
    saved = torch.load(path, map_location='cpu', weights_only=True)
    if not isinstance(saved, dict) or saved.get('format') != STATE_FORMAT or saved.get('version') != 1:
        raise ValueError(f'not a {STATE_FORMAT} of version 1')
    state = _unpack(json.loads(saved['json']), saved['tensors'])
    state['optimizer']['state'] = {int(key): value for key, value in state['optimizer']['state'].items()}  # JSON made them str
    return state


def checkpoint_files(model, model_config, vocab_bytes, step, epoch, seq, metadata, state):
    """The files of a tensorloom textgen checkpoint (format 'tensorloom.textgen-checkpoint', version 1), plus ddp_state.pt."""
    saved_at = datetime.now(timezone.utc).isoformat(timespec='milliseconds').replace('+00:00', 'Z')
    config = {
        'format': 'tensorloom.textgen-checkpoint',
        'version': 1,
        'model': model_config,
        'step': step,
        'epoch': epoch,
        'seqLength': seq,
        'savedAt': saved_at,
        'hasTrainerState': False,
        'metadata': metadata,
    }
    return {
        'model.safetensors': safetensors_bytes(model.state_dict(), {'format': 'pt'}),
        'vocab.json': vocab_bytes,
        STATE_FILE: state_bytes(state),
        # last, as tensorloom writes it: a complete config marks a complete folder
        'config.json': (json.dumps(config, indent=2) + '\n').encode('utf-8'),
    }


# ---- where to start: the export, or a checkpoint to resume (rank 0 decides, for every process) ------


class Refusal(Exception):
    """A reason not to start, found by rank 0 and told to every process."""


def export_step(config):
    """The export's own step (metadata.step, which tensorloom's 'export pytorch' records), 0 without one."""
    step = config.get('metadata', {}).get('step')
    return step if isinstance(step, int) and not isinstance(step, bool) and step >= 0 else 0


def read_json(folder, name):
    try:
        with open(os.path.join(folder, name), encoding='utf-8') as handle:
            return json.load(handle)
    except (OSError, ValueError) as error:
        raise Refusal(f'{os.path.join(folder, name)} cannot be read as JSON: {error}') from None


def vocab_difference(saved, exported):
    parts = [f'{k} {saved.get(k)!r} vs {exported.get(k)!r}' for k in ('lowercase', 'unknown') if saved.get(k) != exported.get(k)]
    for chars, other, whose in ((saved.get('chars', []), exported.get('chars', []), "the checkpoint's"),
                                (exported.get('chars', []), saved.get('chars', []), "the export's")):
        only = [ch for ch in chars if ch not in other]
        if only:
            more = f' and {len(only) - 10} more' if len(only) > 10 else ''
            parts.append(f"{len(only)} character(s) only in {whose} ({', '.join(map(describe_char, only[:10]))}{more})")
    return ', '.join(parts) or 'the same characters with other ids'


def plan_start(args, world, export_config, vocab_bytes, corpus_sha):
    """{'resume': None} to start from the export, {'resume': {...}} with the checkpoint's weights and state,
    {'done': message} when the checkpoint is at --steps already; Refusal when the arguments do not fit."""
    if os.path.isfile(args.out):
        raise Refusal(f'--out {args.out} is a file, not a checkpoint folder')
    out = resolve_directory(args.out)
    out_checkpoint = out if out is not None and os.path.isfile(os.path.join(out, 'config.json')) else None
    source = None
    if args.resume == '':
        source = out_checkpoint
    elif args.resume is not None:
        source = find_checkpoint(args.resume)
        if source is None:
            raise Refusal(f'--resume {args.resume}: there is no checkpoint there (no config.json)')
    if out is not None and os.listdir(out) and not args.overwrite and (source is None or os.path.realpath(source) != os.path.realpath(out)):
        if out_checkpoint is None:
            raise Refusal(f'--out {args.out} is a folder that is not a tensorloom checkpoint; the first write would replace it '
                          'whole: choose another --out, or pass --overwrite to replace it')
        at = f"step {read_json(out_checkpoint, 'config.json').get('step')}"
        if source is None:
            raise Refusal(f'--out {args.out} already holds a checkpoint ({at}): pass --resume to go on from it, '
                          'or --overwrite to start afresh from the export and replace it')
        raise Refusal(f'--out {args.out} already holds another checkpoint ({at}) than --resume {source}: '
                      'pass --overwrite to replace it, or choose another --out')
    if source is None:
        return {'resume': None, 'notes': ['--out holds no checkpoint yet: starting from the export'] if args.resume == '' else []}

    state_path = os.path.join(source, STATE_FILE)
    if not os.path.isfile(state_path):
        raise Refusal(f'--resume {source}: it has no {STATE_FILE} (a checkpoint that tensorloom or an older train_ddp.py wrote), '
                      "so Adam's state and the generators are unknown and the run cannot go on exactly")
    saved_config, saved_vocab = read_json(source, 'config.json'), read_json(source, 'vocab.json')
    model_config = export_config['model']['options']
    differences = []
    exported_vocab = json.loads(vocab_bytes.decode('utf-8'))
    if saved_vocab != exported_vocab:
        differences.append(f'vocab.json differs: {vocab_difference(saved_vocab, exported_vocab)}')
    saved_model = saved_config.get('model', {})
    if saved_model != model_config:
        keys = sorted(set(saved_model) | set(model_config), key=str)
        fields = ', '.join(f'{k} {saved_model.get(k)!r} vs {model_config.get(k)!r}'
                           for k in keys if saved_model.get(k) != model_config.get(k))
        differences.append(f'the model config differs: {fields}')
    if differences:
        raise Refusal(f'--resume {source} does not fit the export {args.export} (checkpoint vs export): ' + '; '.join(differences) +
                      '. Resume with the export the run started from.')
    try:
        state = read_state(state_path)
    except Exception as error:  # noqa: BLE001 -- any unreadable file is the same refusal
        raise Refusal(f'--resume {state_path} cannot be read: {error}') from None
    if state['step'] >= args.steps:
        if state['step'] == args.steps:
            return {'done': f'{source} is at step {args.steps} of the run already (--steps {args.steps}): nothing to do'}
        raise Refusal(f'--resume {source} is at step {state["step"]} of the run, past --steps {args.steps}')
    ranks = len(state['ranks'])
    if ranks != world:
        raise Refusal(f'--resume {source} holds the state of {ranks} processes but this run has {world} '
                      f'(world size {world}); the run goes on exactly only with {ranks}: launch it with --nproc_per_node {ranks} '
                      '(times --nnodes), or start afresh from that checkpoint exported anew')
    # (another --seed changes nothing: the generators go on from their saved states)
    notes = [f"--{key} {getattr(args, key)} where the run had {state['args'][key]}: going on with {getattr(args, key)}, "
             'not as the run would have' for key in ('batch', 'seq', 'lr', 'clip') if state['args'].get(key) != getattr(args, key)]
    if state.get('corpusSha256') != corpus_sha:
        notes.append(f'the corpus {args.corpus} is not the text the run trained on: going on with it, not as the run would have')
    weights = load_safetensors(os.path.join(source, 'model.safetensors'))
    return {'resume': {'source': source, 'state': state, 'weights': weights, 'notes': notes}}


# ---- training -------------------------------------------------------------------------------------


def rng_state(generator, device):
    return {'windows': generator.get_state(), 'torch': torch.get_rng_state(),
            'cuda': torch.cuda.get_rng_state(device) if device.type == 'cuda' else None}


def train(args, rank, world, device, backend):
    torch.manual_seed(args.seed + rank)  # each process its own dropout masks
    model, config = load(args.export, map_location=device)
    if config.get('kind') != 'textgen':
        raise SystemExit(f"train_ddp.py: {args.export} holds a {config.get('kind')} model, not a text model")
    model_config = config['model']['options']
    with open(os.path.join(args.export, 'vocab.json'), 'rb') as handle:
        vocab_bytes = handle.read()
    vocab = CharVocab(json.loads(vocab_bytes.decode('utf-8')))
    if vocab.size != model_config['vocabSize']:
        raise SystemExit(f"train_ddp.py: vocab.json has {vocab.size} ids but the model predicts {model_config['vocabSize']}")
    with open(args.corpus, encoding='utf-8') as handle:
        text = handle.read()
    try:
        ids = torch.tensor(vocab.encode(text), dtype=torch.long)
    except ValueError as error:
        raise SystemExit(f'train_ddp.py: {args.corpus}: {error}') from None
    windows = ids.numel() - args.seq
    if windows < 1:
        raise SystemExit(f'train_ddp.py: {args.corpus} has {ids.numel()} characters, fewer than --seq + 1 = {args.seq + 1}')
    corpus_sha = hashlib.sha256(text.encode('utf-8')).hexdigest()

    plan = [None]
    if rank == 0:
        try:
            plan[0] = plan_start(args, world, config, vocab_bytes, corpus_sha)
        except Refusal as error:
            plan[0] = {'refused': str(error)}
    dist.broadcast_object_list(plan, src=0)  # every process starts as rank 0 decided (only it need see --out)
    plan = plan[0]
    if 'refused' in plan:
        raise SystemExit(f"train_ddp.py: {plan['refused']}" if rank == 0 else 1)
    if 'done' in plan:
        if rank == 0:
            print(f"train_ddp.py: {plan['done']}", flush=True)
        return
    resume = plan['resume']

    generator = torch.Generator().manual_seed(args.seed + rank)
    if resume is not None:
        model.load_state_dict(resume['weights'], strict=True)
    model.train()
    ddp = DistributedDataParallel(model, device_ids=[device.index] if device.type == 'cuda' else None)
    optimizer = torch.optim.Adam(ddp.parameters(), lr=args.lr)
    start, base = 0, export_step(config)
    if resume is not None:
        state = resume['state']
        start, base = state['step'], state['exportStep']
        optimizer.load_state_dict(state['optimizer'])
        for group in optimizer.param_groups:
            group['lr'] = args.lr
        saved = state['ranks'][rank]
        generator.set_state(saved['windows'])
        torch.set_rng_state(saved['torch'])
        if device.type == 'cuda' and saved['cuda'] is not None:
            torch.cuda.set_rng_state(saved['cuda'], device)
    span = torch.arange(args.seq + 1)
    max_norm = args.clip if args.clip > 0 else float('inf')
    metadata = {
        **config.get('metadata', {}),
        'trainedWith': 'train_ddp.py',
        'corpus': os.path.abspath(args.corpus),
        'worldSize': world,
        'backend': backend,
        'batchPerProcess': args.batch,
        'lr': args.lr,
        'clip': args.clip,
        'seed': args.seed,
        'exportStep': base,
        **({'resumedFrom': resume['source']} if resume is not None else {}),
    }
    print(f'rank {rank} of world size {world}: backend {backend}, device {device}, {ids.numel()} characters, '
          f'{windows} windows, seed {args.seed + rank}', flush=True)
    if rank == 0:
        if resume is not None:
            print(f"resuming {resume['source']} at step {start} of the run (step {base + start} in all)", flush=True)
        for note in (plan if resume is None else resume)['notes']:
            print(f'note: {note}', flush=True)
    started = time.time()
    for step in range(start + 1, args.steps + 1):
        offsets = torch.randint(0, windows, (args.batch,), generator=generator)
        batch = ids[offsets.unsqueeze(1) + span].to(device)
        inputs, targets = batch[:, :-1], batch[:, 1:]
        logits, _ = ddp(inputs)
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        grad_norm = float(torch.nn.utils.clip_grad_norm_(ddp.parameters(), max_norm))
        optimizer.step()
        mean_loss = loss.detach().clone()
        dist.all_reduce(mean_loss)
        mean_loss = mean_loss.item() / world
        if not math.isfinite(mean_loss):
            raise SystemExit(f'train_ddp.py: the loss is {mean_loss} at step {step}; stopped without writing a checkpoint '
                             '(try a smaller --lr or --clip)')
        if rank == 0 and (step % args.log_every == 0 or step == args.steps):
            print(f'step {step}/{args.steps} loss {mean_loss:.4f} grad_norm {grad_norm:.3f} '
                  f'({time.time() - started:.1f}s)', flush=True)
        if step == args.steps or (args.checkpoint_every > 0 and step % args.checkpoint_every == 0):
            ranks = [None] * world
            dist.all_gather_object(ranks, rng_state(generator, device))  # every process's generators, for rank 0 to keep
            if rank == 0:
                state = {'step': step, 'exportStep': base, 'worldSize': world, 'args': vars(args), 'corpusSha256': corpus_sha,
                         'optimizer': optimizer.state_dict(), 'ranks': ranks}
                epoch = step * args.batch * world * args.seq / ids.numel()
                write_directory_atomically(args.out, checkpoint_files(model, model_config, vocab_bytes, base + step, epoch, args.seq,
                                                                      {**metadata, 'runStep': step}, state))
                print(f'checkpoint: step {step} written to {os.path.abspath(args.out)}', flush=True)
    dist.barrier()


def main():
    args = parse_args()
    cuda = torch.cuda.is_available()
    backend = 'nccl' if cuda else 'gloo'
    dist.init_process_group(backend=backend)
    rank, world = dist.get_rank(), dist.get_world_size()
    if cuda:
        local_rank = int(os.environ.get('LOCAL_RANK', '0'))
        torch.cuda.set_device(local_rank)
        device = torch.device('cuda', local_rank)
    else:
        device = torch.device('cpu')
    try:
        train(args, rank, world, device, backend)
    finally:
        dist.destroy_process_group()


if __name__ == '__main__':
    main()
`;
