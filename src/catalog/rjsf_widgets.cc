#include "rjsf_widgets.h"

namespace capconf::catalog {

const std::set<std::string_view>& RjsfRegisteredWidgets() {
  static const std::set<std::string_view> k = {
      "AltDateTimeWidget", "AltDateWidget",  "CheckboxWidget", "CheckboxesWidget", "ColorWidget",
      "DateTimeWidget",    "DateWidget",     "EmailWidget",    "FileWidget",       "HiddenWidget",
      "PasswordWidget",    "RadioWidget",    "RangeWidget",    "RatingWidget",     "SelectWidget",
      "TextWidget",        "TextareaWidget", "TimeWidget",     "URLWidget",        "UpDownWidget"};
  return k;
}

const std::set<std::string_view>* RjsfAliases(std::string_view type) {
  static const std::set<std::string_view> kString = {
      "text",      "password", "email",        "hostname", "ipv4",   "ipv6", "uri",
      "data-url",  "radio",    "select",       "textarea", "hidden", "date", "datetime",
      "date-time", "alt-date", "alt-datetime", "time",     "color",  "file"};
  static const std::set<std::string_view> kNumber = {"text",  "select", "updown",
                                                     "range", "radio",  "hidden"};
  static const std::set<std::string_view> kBoolean = {"checkbox", "radio", "select", "hidden"};
  static const std::set<std::string_view> kArray = {"select", "checkboxes", "files", "hidden"};
  if (type == "string") return &kString;
  if (type == "number" || type == "integer") return &kNumber;
  if (type == "boolean") return &kBoolean;
  if (type == "array") return &kArray;
  return nullptr;
}

}  // namespace capconf::catalog
