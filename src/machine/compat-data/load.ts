/**
 * Loads compat/ from the package root (found from this file, so it works from src/ under a test
 * runner and from dist/ after a build, whatever the current directory): from the build's
 * per-release images while they match compat/, else from the YAML itself.
 */
import { join } from 'node:path';
import { packageRoot } from '../../core/package-root.js';
import { processCache } from '../../core/process-cache.js';
import { CompatData } from './compat-data.js';
import { freshImageIndex, readImage, type ImageIndex } from './image.js';
import { readCompatDocuments } from './read-documents.js';

/**
 * Loaded data by package root. The data is immutable and reading it (YAML, schemas, checks)
 * takes a while, so it is read once per root; this cache is the module's only state.
 */
const loaded = processCache<string, CompatData>();

/**
 * The package's compat data; `index` is the images' index when the caller has just found it fresh
 * (the start-up snapshot's check), which spares a second look.
 */
export function loadCompatData(root: string = packageRoot(), index?: ImageIndex): CompatData {
  let data = loaded.get(root);
  if (!data) {
    const images = index ?? freshImageIndex(root);
    data = images
      ? new CompatData({ images: images.releases, read: (release) => readImage(root, release) })
      : new CompatData(readCompatDocuments(join(root, 'compat')));
    loaded.set(root, data);
  }
  return data;
}
