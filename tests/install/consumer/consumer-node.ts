// A TypeScript consumer of the Node-only entry points (with @types/node, as Node projects have it).
import { loadPlanetoid, readGexf, savePlanetoid } from '@tensorloom/graph/node';
import { commands, runCli } from '@tensorloom/cli';
import { writeExportFolder } from '@tensorloom/export/node';

const readers = [loadPlanetoid, readGexf, savePlanetoid] as const;
const written: Promise<string[]> = writeExportFolder('export', { kind: 'gnn', files: [] }, { overwrite: false });
const exit: Promise<number> = runCli(['--help'], commands, { stdout: process.stdout, stderr: process.stderr });

export const used = [readers, exit, written];
