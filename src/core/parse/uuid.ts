/** qemu_uuid_parse: 36 characters, hex digits with dashes at 8, 13, 18 and 23. */
export const isQemuUuid = (text: string): boolean => /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(text);
