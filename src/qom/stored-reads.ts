/**
 * The one place a stored property value is read: what an object holds for a property (its value or
 * who set it) is reached only through QomObject.stored / storedOrigin, and a compat entry that runs
 * a property's own setter or parser counts as read when it is applied, since that code may act on
 * the value at once. Code that looks a machine compat entry up by driver name, with no object to
 * read (a board device hotmem does not create), asks ObjectModel.machineCompat, watched too. A
 * matrix memo watches these reads to know which compat entries a cell's answer can depend on;
 * without a watcher a read costs one field test.
 */
import type { QomObject } from './object.js';
import type { PropertyOrigin } from './provenance.js';

export interface StoredReads {
  /** `origin`: who set the value read, as the object holds it at the read (undefined: nothing did, or not known). */
  read(obj: QomObject, property: string, origin: PropertyOrigin | undefined): void;
  compatLookup(driver: string, property: string): void;
}
