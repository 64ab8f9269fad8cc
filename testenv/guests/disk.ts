import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * What a simulated guest's disk holds that a Zerto recovery carries to the other site, as far as the guard cares:
 * its `/etc/pra` identity files and its network configuration (one IPv4 address, the file below). The Zerto
 * simulator reads a protected VM's disk at the recovery's checkpoint and writes it into the recovered VM's guest
 * root before powering that VM on (testenv/sims/zerto/disks.ts); the guest reads its address from it at boot.
 */
export const DISK_FILES = ['etc/pra/site', 'etc/pra/active-site', 'etc/network/pra-address'] as const;

/** The guest's address, as its network configuration on disk holds it (a recovery replaces it only with re-IP). */
export const ADDRESS_FILE = 'etc/network/pra-address';

/** The disk files of a guest root: file -> content (a file the disk lacks is absent). */
export type DiskImage = Readonly<Record<string, string>>;

export function readDisk(root: string): DiskImage {
  const image: Record<string, string> = {};
  for (const file of DISK_FILES) {
    try {
      image[file] = readFileSync(join(root, file), 'utf8');
    } catch {
      /* not on this disk */
    }
  }
  return image;
}

/** Lays `image` into a guest root, its address replaced by `address` when given (a VPG's re-IP). */
export function writeDisk(root: string, image: DiskImage, address?: string): void {
  const files = { ...image, ...(address === undefined ? {} : { [ADDRESS_FILE]: `${address}\n` }) };
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), content);
  }
}

/** The address a guest root's network configuration holds, if any. */
export function diskAddress(root: string): string | undefined {
  try {
    return readFileSync(join(root, ADDRESS_FILE), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
