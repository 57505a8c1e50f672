/**
 * The root of the type tree, as QEMU declares it: `object` with its `type` property, `container`
 * for tree folders, the `device` base with realized/hotplug state, and the interfaces hotmem's
 * layers test for.
 */
import type { TypeInfo } from './type-info.js';

export const BASE_TYPES: readonly TypeInfo[] = [
  {
    name: 'object',
    abstract: true,
    properties: [
      {
        name: 'type',
        type: { kind: 'str' },
        typeName: 'string',
        origin: 'custom',
        readOnly: true,
        get: (obj) => obj.type,
        hiddenFromHelp: true,
      },
    ],
  },
  { name: 'container', parent: 'object' },
  { name: 'interface', abstract: true },
  { name: 'user-creatable', parent: 'interface', abstract: true },
  {
    name: 'device',
    parent: 'object',
    abstract: true,
    postInit: 'compat-and-globals',
    properties: [
      {
        name: 'realized',
        type: { kind: 'bool' },
        origin: 'custom',
        readOnly: true,
        get: (obj) => obj.realized,
        hiddenFromHelp: true,
      },
      {
        name: 'hotpluggable',
        type: { kind: 'bool' },
        origin: 'custom',
        readOnly: true,
        // device_get_hotpluggable: the class must allow it and so must the bus it sits on.
        get: (obj) => obj.model.view.hotpluggable(obj.type) && (obj.model.hotplugHandler?.busHotpluggable?.(obj) ?? true),
        hiddenFromHelp: true,
      },
      {
        name: 'hotplugged',
        type: { kind: 'bool' },
        origin: 'custom',
        readOnly: true,
        get: (obj) => obj.hotplugged,
        hiddenFromHelp: true,
      },
      {
        name: 'parent_bus',
        type: { kind: 'link', target: 'bus' },
        origin: 'custom',
        readOnly: true,
        hiddenFromHelp: true,
      },
    ],
  },
];
