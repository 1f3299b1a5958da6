export function writeIfChanged(path: string, bytes: Uint8Array): boolean;
export function copyVendor(): string[];
