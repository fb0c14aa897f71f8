import type { RegistryFieldsType, RegistryWidgetsType } from '@rjsf/utils';
import ApiKeysWidget from '../widgets/ApiKeysWidget';
import AvatarUploadWidget from '../widgets/AvatarUploadWidget';
import ColorPickerWidget from '../widgets/ColorPickerWidget';
import DocumentSourcesWidget from '../widgets/DocumentSourcesWidget';
import DomainListWidget from '../widgets/DomainListWidget';
import RangeWidget from '../widgets/RangeWidget';
import SecretWidget from '../widgets/SecretWidget';
import TagsWidget from '../widgets/TagsWidget';

/** Registered under exactly the names catalog/widgets.json gives (`kind: "widget"`). */
export const widgets: RegistryWidgetsType = {
  ColorPickerWidget,
  DocumentSourcesWidget,
  ApiKeysWidget,
  DomainListWidget,
  TagsWidget,
  SecretWidget,
  // Replaces the theme's slider (rjsf's `range` alias names it), which has no value label and
  // hands the form a string.
  RangeWidget,
};

/** `kind: "field"` names: rjsf ignores `ui:widget` on objects, so these are `ui:field`s. */
export const fields: RegistryFieldsType = {
  AvatarUploadWidget,
};
