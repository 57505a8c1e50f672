/**
 * The one place a stored property value is read: what an object holds for a property (its value or
 * who set it) is reached only through QomObject.stored / storedOrigin, and a compat entry that runs
 * a property's own setter or parser counts as read when it is applied, since that code may act on
 * the value at once. A matrix memo watches these reads to know which compat entries a cell's
 * answer can depend on; without a watcher a read costs one field test.
 */
import type { QomObject } from './object.js';

export interface StoredReads {
  read(obj: QomObject, property: string): void;
}
