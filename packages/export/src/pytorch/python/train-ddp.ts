/**
 * `train_ddp.py`: continues training an exported text model with DistributedDataParallel, as
 * tensorloom's `Trainer` trains (random windows, teacher forcing, cross-entropy, global-norm
 * clipping, Adam), and writes tensorloom textgen checkpoints.
 */
export const TRAIN_DDP_PY = String.raw`#!/usr/bin/env python3
"""Continues training an exported tensorloom text model with PyTorch's DistributedDataParallel.

    torchrun --standalone --nproc_per_node 2 train_ddp.py --corpus book.txt --steps 2000 --out run/latest

Every process reads the corpus, encodes it with vocab.json (a character outside it is an error that
names it) and trains on its own random windows of seq + 1 characters (generator seeded seed + rank);
DDP averages the gradients. One step, as tensorloom's Trainer: --batch windows from the zero state,
teacher forcing, the mean cross-entropy over every prediction, clipping of the global gradient norm
to --clip, Adam. Backend gloo on CPU, nccl when CUDA is available. Rank 0 logs the loss (averaged
over the processes) and writes a tensorloom textgen checkpoint folder at --out every
--checkpoint-every steps and at the end, atomically; @tensorloom/textgen's loadCheckpoint (and the
tensorloom CLI) read it. The checkpoint holds the weights, vocab.json and config.json, no optimizer
state (hasTrainerState false).
"""
import argparse
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
from model import CharVocab, load, safetensors_bytes  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Continue training an exported tensorloom text model with DDP (launch with torchrun).')
    parser.add_argument('--corpus', required=True, help='the UTF-8 text file to train on')
    parser.add_argument('--steps', type=int, required=True, help='optimizer steps to take')
    parser.add_argument('--out', required=True, help='the checkpoint folder to write (replaced atomically)')
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


def write_directory_atomically(target, files):
    """Writes {name: bytes} as the folder target: into a hidden sibling .<name>.tmp-<stamp>, then
    renamed into place (an existing folder moved aside to .<name>.old-<stamp> first), so a reader
    sees the old folder or the new one, never a mixture; tensorloom's loaders find the aside copy
    if a writer dies between the two renames."""
    target = os.path.abspath(target)
    parent, base = os.path.dirname(target), os.path.basename(target)
    os.makedirs(parent, exist_ok=True)

    def leftovers(kind):
        prefix = f'.{base}.{kind}-'
        return sorted((n for n in os.listdir(parent) if n.startswith(prefix)), key=_stamp_time, reverse=True)

    if not os.path.exists(target):
        previous = leftovers('old')
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
        for name in leftovers(kind):
            shutil.rmtree(os.path.join(parent, name), ignore_errors=True)


def checkpoint_files(model, model_config, vocab_bytes, step, epoch, seq, metadata):
    """The files of a tensorloom textgen checkpoint (format 'tensorloom.textgen-checkpoint', version 1)."""
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
        # last, as tensorloom writes it: a complete config marks a complete folder
        'config.json': (json.dumps(config, indent=2) + '\n').encode('utf-8'),
    }


# ---- training -------------------------------------------------------------------------------------


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

    model.train()
    ddp = DistributedDataParallel(model, device_ids=[device.index] if device.type == 'cuda' else None)
    optimizer = torch.optim.Adam(ddp.parameters(), lr=args.lr)
    generator = torch.Generator().manual_seed(args.seed + rank)
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
    }
    print(f'rank {rank} of world size {world}: backend {backend}, device {device}, {ids.numel()} characters, '
          f'{windows} windows, seed {args.seed + rank}', flush=True)
    started = time.time()
    for step in range(1, args.steps + 1):
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
        last = step == args.steps
        if rank == 0 and (last or (args.checkpoint_every > 0 and step % args.checkpoint_every == 0)):
            epoch = step * args.batch * world * args.seq / ids.numel()
            files = checkpoint_files(model, model_config, vocab_bytes, step, epoch, args.seq, metadata)
            write_directory_atomically(args.out, files)
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
