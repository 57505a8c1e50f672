export { BASE_TYPES } from './base-types.js';
export { qomErrors } from './errors.js';
export { NO_COMPAT, parseGlobalOption, type CompatLayers, type GlobalProperty } from './globals.js';
export { deviceListHelp, deviceOptionsHelp, objectOptionsHelp, propertyHelpLine, strcmp } from './help.js';
export { QomObject } from './object.js';
export { ObjectModel, type HotplugHandler, type PropertyInput, type QomListEntry } from './object-model.js';
export { CLASS_DEFAULT, describeOrigin, EXPLICIT, type CompatSource, type PropertyOrigin } from './provenance.js';
export { ON_OFF_AUTO, typeString, type PropertyDef, type PropertyType, type QomValue, type ReleaseHistory } from './property.js';
export { RegistryView, TypeRegistry, type PropertyHome, type QomEnv, type ResolvedProperty } from './registry.js';
export { DEVICE_CATEGORIES, implement, type ChildDef, type DeviceCategory, type Implementation, type TypeInfo } from './type-info.js';
export {
  BUS_ADDRESS,
  CSS_DEVID_UNSET,
  formatCssDevId,
  formatDevfn,
  parseCssDevId,
  parseCssDevIdInput,
  parsePciDevfn,
  PCI_DEVFN_AUTO,
  pciFunction,
  pciSlot,
  type CssDevId,
  type DeviceBusAddress,
} from './qdev-address-props.js';
