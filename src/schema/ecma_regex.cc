// EcmaRegex translates an ECMA-262 `u`-mode pattern into a PCRE2 pattern that means the same
// thing, then compiles that with PCRE2_UTF and JIT. The translator is a full parser of the
// ECMA-262 Pattern grammar (with the UnicodeMode parameter, so none of Annex B's leniency), and
// it writes PCRE2 syntax from scratch: every literal that is not an ASCII letter or digit is
// written as \x{...} or a backslashed ASCII punctuation character, and every ECMA construct
// becomes an explicit PCRE2 construct. So no PCRE2-only syntax (\A, \Q..\E, (?i), (*VERB),
// possessive or atomic groups, POSIX classes, # comments) can pass through: ECMA rejects all of
// them in `u` mode, and so do we.
//
// Translations that matter:
//   ^            ^ (no PCRE2_MULTILINE, so only at the start)
//   $            \z (only at the very end, not before a final newline)
//   .            [^\n\r\x{2028}\x{2029}]
//   \d \w \s     explicit classes: ASCII digits, ASCII word characters, ECMA WhiteSpace plus
//                LineTerminator; \D \W \S and class members use the complements.
//   \b \B        PCRE2's own: without PCRE2_UCP (never set) its word characters are ASCII only
//   (?<name>..)  a plain capture group; \k<name> becomes a numbered reference. PCRE2 numbers
//                groups the same way, and this sidesteps PCRE2's stricter rules for names.
//   \1..\N       (?(N)\g{N}): in ECMA a reference to a group that has not matched matches the
//                empty string. (PCRE2_MATCH_UNSET_BACKREF means the same, but PCRE2 10.42's JIT
//                gets it wrong under lazy quantifiers: (\g{1}+?){2} fails on "".)
//   [] and [^]   (?:(?!)) and a class of every code point
//   \p{...}      checked against ECMA-262's exact (case-sensitive) property tables, then written
//                in PCRE2's spelling: \p{Lu}, \p{sc:Greek}, \p{scx:Greek}, \p{Alphabetic}, ...
//
// Where ajv (V8, Node 20) and this engine do not agree:
//   - Lookbehind must have a fixed length per top-level alternative (PCRE2 10.42); ECMA allows
//     any lookbehind. `(?<=a+)b` fails to Compile (JSON-Schema-Test-Suite's
//     optional/format/ecmascript-regex.json says it is valid).
//   - A backreference inside a lookbehind fails to Compile: ECMA matches lookbehinds right to
//     left, which changes what such a reference sees, and PCRE2 needs it to be fixed-length.
//   - A lone surrogate (`\uD83D` not followed by a trailing `\uDxxx`, or `\u{D800}`) is valid
//     ECMA and matches a lone UTF-16 code unit. Subjects here are UTF-8, which cannot hold one,
//     so such an atom never matches (capconf's JSON parser rejects "\ud83d" in an instance).
//   - V8 sometimes finds an empty match between the two halves of a surrogate pair even in `u`
//     mode: /\B/u.test("A\u{1F600}9") is true there. Here every position is between code
//     points, as ECMA-262 says, so that is false.
//   - Unicode data: PCRE2 10.42 has Unicode 14 tables; V8's are newer. Code points assigned
//     since then may answer \p{...} differently, and scripts added since (Kawi, Nag_Mundari,
//     the Unicode 16 ones) fail to Compile, as does Changes_When_NFKC_Casefolded, which PCRE2
//     lacks. Group names are checked for ID_Start/ID_Continue with PCRE2's tables plus the
//     characters Unicode 15.0 to 17.0 added (Node 20.20's ICU 78); an engine with other Unicode
//     data may judge a name with a newly assigned character differently.
//   - Quantifier bounds above 65535 (PCRE2's maximum), groups nested more than 200 deep, and
//     patterns whose compiled form outgrows PCRE2's size limit (about 30,000 literal characters;
//     fewer with big classes like \S) fail to Compile; ECMA has no such limits.
//   - ECMA resets the captures inside a quantified group at the start of each iteration; PCRE2
//     keeps the previous iteration's value. Only a backreference to such a group can tell:
//     /(?:\1+?(a)){2}/ matches "aa" in V8 but not here.
//   - Duplicate group names are rejected, as in Node 20 (ES2025 allows them in different
//     alternatives).
//   - ECMA has no match budget; a Search that exceeds Limits returns kLimitExceeded. V8 gives
//     an answer for some patterns that PCRE2 cannot settle within the default budget.
//   - Compile is always `u` mode. ajv-formats checks `format: "regex"` with `new RegExp(str)`
//     (no flags, so Annex B's leniency: `\a` is accepted there); CheckLegacySyntax answers that
//     question with a parser of its own ("The Annex B syntax check" below) and compiles nothing.
//     It agreed with Node 20.20 on every one of 270,000 generated patterns and on every code point
//     as a group name character; its messages are its own, not V8's.

#include "ecma_regex.h"

#include "capconf/common/utf8.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace capconf::schema::internal {
namespace {

constexpr char32_t kMaxCodePoint = 0x10FFFF;
// PCRE2's largest quantifier bound.
constexpr std::uint64_t kMaxRepeat = 65535;
// Bounds the parser's recursion (and stays under PCRE2's default parens nest limit of 250,
// leaving room for the groups the translation adds).
constexpr int kMaxGroupNesting = 200;

bool IsSurrogate(char32_t c) { return c >= 0xD800 && c <= 0xDFFF; }
bool IsLeadSurrogate(char32_t c) { return c >= 0xD800 && c <= 0xDBFF; }
bool IsTrailSurrogate(char32_t c) { return c >= 0xDC00 && c <= 0xDFFF; }
bool IsDecimalDigit(char32_t c) { return c >= '0' && c <= '9'; }
bool IsAsciiLetter(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

int HexValue(char32_t c) {
  if (c >= '0' && c <= '9') return static_cast<int>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<int>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<int>(c - 'A' + 10);
  return -1;
}

// ECMA-262 SyntaxCharacter: the only characters `u` mode lets an identity escape name (besides
// `/`, and `-` inside a class).
bool IsSyntaxCharacter(char32_t c) {
  switch (c) {
    case '^':
    case '$':
    case '\\':
    case '.':
    case '*':
    case '+':
    case '?':
    case '(':
    case ')':
    case '[':
    case ']':
    case '{':
    case '}':
    case '|':
      return true;
    default:
      return false;
  }
}

// --- UTF-8 -------------------------------------------------------------------------------------

std::string EncodeUtf8(char32_t c) {
  std::string out;
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
  return out;
}

std::string HexEscape(char32_t c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "\\x{%x}", static_cast<unsigned>(c));
  return buf;
}

// --- Code point sets ---------------------------------------------------------------------------

struct Range {
  char32_t lo;
  char32_t hi;
};
using RangeSet = std::vector<Range>;

constexpr Range kDigitRanges[] = {{'0', '9'}};
constexpr Range kWordRanges[] = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
// ECMA-262 WhiteSpace (TAB, VT, FF, ZWNBSP, and the Zs category) plus LineTerminator.
constexpr Range kSpaceRanges[] = {
    {0x09, 0x0D},     {0x20, 0x20},     {0xA0, 0xA0},     {0x1680, 0x1680}, {0x2000, 0x200A},
    {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000}, {0xFEFF, 0xFEFF}};
constexpr Range kLineTerminatorRanges[] = {{0x0A, 0x0A}, {0x0D, 0x0D}, {0x2028, 0x2029}};

RangeSet Normalize(RangeSet ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const Range& a, const Range& b) { return a.lo < b.lo; });
  RangeSet out;
  for (const Range& r : ranges) {
    if (!out.empty() && r.lo <= out.back().hi + 1) {
      out.back().hi = std::max(out.back().hi, r.hi);
    } else {
      out.push_back(r);
    }
  }
  return out;
}

template <std::size_t N>
RangeSet Complement(const Range (&ranges)[N]) {
  RangeSet out;
  char32_t next = 0;
  for (const Range& r : ranges) {  // the tables above are sorted and disjoint
    if (r.lo > next) out.push_back({next, r.lo - 1});
    next = r.hi + 1;
  }
  if (next <= kMaxCodePoint) out.push_back({next, kMaxCodePoint});
  return out;
}

// A character class in the making: code point ranges plus PCRE2 property escapes.
struct ClassSpec {
  bool negated = false;
  RangeSet ranges;
  std::vector<std::string> properties;  // "\p{Lu}", "\P{sc:Greek}", ...
};

template <std::size_t N>
void AddRanges(const Range (&ranges)[N], bool complement, ClassSpec* spec) {
  if (complement) {
    const RangeSet c = Complement(ranges);
    spec->ranges.insert(spec->ranges.end(), c.begin(), c.end());
  } else {
    spec->ranges.insert(spec->ranges.end(), std::begin(ranges), std::end(ranges));
  }
}

// Writes the class as one PCRE2 item (so a quantifier may follow it).
std::string EmitClass(const ClassSpec& spec) {
  // Surrogates cannot occur in a UTF-8 subject, and PCRE2 rejects them as single code points.
  RangeSet ranges;
  for (const Range& r : Normalize(spec.ranges)) {
    if (r.hi < 0xD800 || r.lo > 0xDFFF) {
      ranges.push_back(r);
      continue;
    }
    if (r.lo < 0xD800) ranges.push_back({r.lo, 0xD7FF});
    if (r.hi > 0xDFFF) ranges.push_back({0xE000, r.hi});
  }
  if (ranges.empty() && spec.properties.empty()) {
    return spec.negated ? "[\\x{0}-\\x{d7ff}\\x{e000}-\\x{10ffff}]" : "(?:(?!))";
  }
  std::string out = spec.negated ? "[^" : "[";
  for (const Range& r : ranges) {
    out += HexEscape(r.lo);
    if (r.hi != r.lo) {
      out += '-';
      out += HexEscape(r.hi);
    }
  }
  for (const std::string& p : spec.properties) out += p;
  out += ']';
  return out;
}

// --- Unicode property names (ECMA-262 tables 67-69) --------------------------------------------

struct PropertyAlias {
  std::string_view ecma;  // exact, case-sensitive ECMA-262 spelling
  std::string_view pcre;  // PCRE2 spelling; empty when PCRE2 lacks the property
};

// General_Category values and aliases, mapped to PCRE2's two-letter (or one-letter) codes.
constexpr PropertyAlias kGeneralCategories[] = {
    {"C", "C"},
    {"Other", "C"},
    {"Cc", "Cc"},
    {"Control", "Cc"},
    {"cntrl", "Cc"},
    {"Cf", "Cf"},
    {"Format", "Cf"},
    {"Cn", "Cn"},
    {"Unassigned", "Cn"},
    {"Co", "Co"},
    {"Private_Use", "Co"},
    {"Cs", "Cs"},
    {"Surrogate", "Cs"},
    {"L", "L"},
    {"Letter", "L"},
    {"LC", "LC"},
    {"Cased_Letter", "LC"},
    {"Ll", "Ll"},
    {"Lowercase_Letter", "Ll"},
    {"Lm", "Lm"},
    {"Modifier_Letter", "Lm"},
    {"Lo", "Lo"},
    {"Other_Letter", "Lo"},
    {"Lt", "Lt"},
    {"Titlecase_Letter", "Lt"},
    {"Lu", "Lu"},
    {"Uppercase_Letter", "Lu"},
    {"M", "M"},
    {"Mark", "M"},
    {"Combining_Mark", "M"},
    {"Mc", "Mc"},
    {"Spacing_Mark", "Mc"},
    {"Me", "Me"},
    {"Enclosing_Mark", "Me"},
    {"Mn", "Mn"},
    {"Nonspacing_Mark", "Mn"},
    {"N", "N"},
    {"Number", "N"},
    {"Nd", "Nd"},
    {"Decimal_Number", "Nd"},
    {"digit", "Nd"},
    {"Nl", "Nl"},
    {"Letter_Number", "Nl"},
    {"No", "No"},
    {"Other_Number", "No"},
    {"P", "P"},
    {"Punctuation", "P"},
    {"punct", "P"},
    {"Pc", "Pc"},
    {"Connector_Punctuation", "Pc"},
    {"Pd", "Pd"},
    {"Dash_Punctuation", "Pd"},
    {"Pe", "Pe"},
    {"Close_Punctuation", "Pe"},
    {"Pf", "Pf"},
    {"Final_Punctuation", "Pf"},
    {"Pi", "Pi"},
    {"Initial_Punctuation", "Pi"},
    {"Po", "Po"},
    {"Other_Punctuation", "Po"},
    {"Ps", "Ps"},
    {"Open_Punctuation", "Ps"},
    {"S", "S"},
    {"Symbol", "S"},
    {"Sc", "Sc"},
    {"Currency_Symbol", "Sc"},
    {"Sk", "Sk"},
    {"Modifier_Symbol", "Sk"},
    {"Sm", "Sm"},
    {"Math_Symbol", "Sm"},
    {"So", "So"},
    {"Other_Symbol", "So"},
    {"Z", "Z"},
    {"Separator", "Z"},
    {"Zl", "Zl"},
    {"Line_Separator", "Zl"},
    {"Zp", "Zp"},
    {"Paragraph_Separator", "Zp"},
    {"Zs", "Zs"},
    {"Space_Separator", "Zs"},
};

// Binary properties and their aliases. `Assigned` is handled apart (PCRE2 has no such name).
constexpr PropertyAlias kBinaryProperties[] = {
    {"ASCII", "ASCII"},
    {"ASCII_Hex_Digit", "ASCII_Hex_Digit"},
    {"AHex", "ASCII_Hex_Digit"},
    {"Alphabetic", "Alphabetic"},
    {"Alpha", "Alphabetic"},
    {"Any", "Any"},
    {"Bidi_Control", "Bidi_Control"},
    {"Bidi_C", "Bidi_Control"},
    {"Bidi_Mirrored", "Bidi_Mirrored"},
    {"Bidi_M", "Bidi_Mirrored"},
    {"Case_Ignorable", "Case_Ignorable"},
    {"CI", "Case_Ignorable"},
    {"Cased", "Cased"},
    {"Changes_When_Casefolded", "Changes_When_Casefolded"},
    {"CWCF", "Changes_When_Casefolded"},
    {"Changes_When_Casemapped", "Changes_When_Casemapped"},
    {"CWCM", "Changes_When_Casemapped"},
    {"Changes_When_Lowercased", "Changes_When_Lowercased"},
    {"CWL", "Changes_When_Lowercased"},
    {"Changes_When_NFKC_Casefolded", ""},
    {"CWKCF", ""},
    {"Changes_When_Titlecased", "Changes_When_Titlecased"},
    {"CWT", "Changes_When_Titlecased"},
    {"Changes_When_Uppercased", "Changes_When_Uppercased"},
    {"CWU", "Changes_When_Uppercased"},
    {"Dash", "Dash"},
    {"Default_Ignorable_Code_Point", "Default_Ignorable_Code_Point"},
    {"DI", "Default_Ignorable_Code_Point"},
    {"Deprecated", "Deprecated"},
    {"Dep", "Deprecated"},
    {"Diacritic", "Diacritic"},
    {"Dia", "Diacritic"},
    {"Emoji", "Emoji"},
    {"Emoji_Component", "Emoji_Component"},
    {"EComp", "Emoji_Component"},
    {"Emoji_Modifier", "Emoji_Modifier"},
    {"EMod", "Emoji_Modifier"},
    {"Emoji_Modifier_Base", "Emoji_Modifier_Base"},
    {"EBase", "Emoji_Modifier_Base"},
    {"Emoji_Presentation", "Emoji_Presentation"},
    {"EPres", "Emoji_Presentation"},
    {"Extended_Pictographic", "Extended_Pictographic"},
    {"ExtPict", "Extended_Pictographic"},
    {"Extender", "Extender"},
    {"Ext", "Extender"},
    {"Grapheme_Base", "Grapheme_Base"},
    {"Gr_Base", "Grapheme_Base"},
    {"Grapheme_Extend", "Grapheme_Extend"},
    {"Gr_Ext", "Grapheme_Extend"},
    {"Hex_Digit", "Hex_Digit"},
    {"Hex", "Hex_Digit"},
    {"IDS_Binary_Operator", "IDS_Binary_Operator"},
    {"IDSB", "IDS_Binary_Operator"},
    {"IDS_Trinary_Operator", "IDS_Trinary_Operator"},
    {"IDST", "IDS_Trinary_Operator"},
    {"ID_Continue", "ID_Continue"},
    {"IDC", "ID_Continue"},
    {"ID_Start", "ID_Start"},
    {"IDS", "ID_Start"},
    {"Ideographic", "Ideographic"},
    {"Ideo", "Ideographic"},
    {"Join_Control", "Join_Control"},
    {"Join_C", "Join_Control"},
    {"Logical_Order_Exception", "Logical_Order_Exception"},
    {"LOE", "Logical_Order_Exception"},
    {"Lowercase", "Lowercase"},
    {"Lower", "Lowercase"},
    {"Math", "Math"},
    {"Noncharacter_Code_Point", "Noncharacter_Code_Point"},
    {"NChar", "Noncharacter_Code_Point"},
    {"Pattern_Syntax", "Pattern_Syntax"},
    {"Pat_Syn", "Pattern_Syntax"},
    {"Pattern_White_Space", "Pattern_White_Space"},
    {"Pat_WS", "Pattern_White_Space"},
    {"Quotation_Mark", "Quotation_Mark"},
    {"QMark", "Quotation_Mark"},
    {"Radical", "Radical"},
    {"Regional_Indicator", "Regional_Indicator"},
    {"RI", "Regional_Indicator"},
    {"Sentence_Terminal", "Sentence_Terminal"},
    {"STerm", "Sentence_Terminal"},
    {"Soft_Dotted", "Soft_Dotted"},
    {"SD", "Soft_Dotted"},
    {"Terminal_Punctuation", "Terminal_Punctuation"},
    {"Term", "Terminal_Punctuation"},
    {"Unified_Ideograph", "Unified_Ideograph"},
    {"UIdeo", "Unified_Ideograph"},
    {"Uppercase", "Uppercase"},
    {"Upper", "Uppercase"},
    {"Variation_Selector", "Variation_Selector"},
    {"VS", "Variation_Selector"},
    {"White_Space", "White_Space"},
    {"space", "White_Space"},
    {"XID_Continue", "XID_Continue"},
    {"XIDC", "XID_Continue"},
    {"XID_Start", "XID_Start"},
    {"XIDS", "XID_Start"},
};

// Script values: {ISO 15924 code, long name}. Both spellings are valid in ECMA-262 and PCRE2
// understands the long one. ECMA leaves out Katakana_Or_Hiragana (Hrkt). Scripts newer than
// PCRE2's Unicode tables are listed too: PCRE2 then rejects them and Compile says so.
constexpr std::pair<std::string_view, std::string_view> kScripts[] = {
    {"Adlm", "Adlam"},
    {"Aghb", "Caucasian_Albanian"},
    {"Ahom", "Ahom"},
    {"Arab", "Arabic"},
    {"Armi", "Imperial_Aramaic"},
    {"Armn", "Armenian"},
    {"Avst", "Avestan"},
    {"Bali", "Balinese"},
    {"Bamu", "Bamum"},
    {"Bass", "Bassa_Vah"},
    {"Batk", "Batak"},
    {"Beng", "Bengali"},
    {"Bhks", "Bhaiksuki"},
    {"Bopo", "Bopomofo"},
    {"Brah", "Brahmi"},
    {"Brai", "Braille"},
    {"Bugi", "Buginese"},
    {"Buhd", "Buhid"},
    {"Cakm", "Chakma"},
    {"Cans", "Canadian_Aboriginal"},
    {"Cari", "Carian"},
    {"Cham", "Cham"},
    {"Cher", "Cherokee"},
    {"Chrs", "Chorasmian"},
    {"Copt", "Coptic"},
    {"Qaac", "Coptic"},
    {"Cpmn", "Cypro_Minoan"},
    {"Cprt", "Cypriot"},
    {"Cyrl", "Cyrillic"},
    {"Deva", "Devanagari"},
    {"Diak", "Dives_Akuru"},
    {"Dogr", "Dogra"},
    {"Dsrt", "Deseret"},
    {"Dupl", "Duployan"},
    {"Egyp", "Egyptian_Hieroglyphs"},
    {"Elba", "Elbasan"},
    {"Elym", "Elymaic"},
    {"Ethi", "Ethiopic"},
    {"Gara", "Garay"},
    {"Geor", "Georgian"},
    {"Glag", "Glagolitic"},
    {"Gong", "Gunjala_Gondi"},
    {"Gonm", "Masaram_Gondi"},
    {"Goth", "Gothic"},
    {"Gran", "Grantha"},
    {"Grek", "Greek"},
    {"Gujr", "Gujarati"},
    {"Gukh", "Gurung_Khema"},
    {"Guru", "Gurmukhi"},
    {"Hang", "Hangul"},
    {"Hani", "Han"},
    {"Hano", "Hanunoo"},
    {"Hatr", "Hatran"},
    {"Hebr", "Hebrew"},
    {"Hira", "Hiragana"},
    {"Hluw", "Anatolian_Hieroglyphs"},
    {"Hmng", "Pahawh_Hmong"},
    {"Hmnp", "Nyiakeng_Puachue_Hmong"},
    {"Hung", "Old_Hungarian"},
    {"Ital", "Old_Italic"},
    {"Java", "Javanese"},
    {"Kali", "Kayah_Li"},
    {"Kana", "Katakana"},
    {"Kawi", "Kawi"},
    {"Khar", "Kharoshthi"},
    {"Khmr", "Khmer"},
    {"Khoj", "Khojki"},
    {"Kits", "Khitan_Small_Script"},
    {"Knda", "Kannada"},
    {"Krai", "Kirat_Rai"},
    {"Kthi", "Kaithi"},
    {"Lana", "Tai_Tham"},
    {"Laoo", "Lao"},
    {"Latn", "Latin"},
    {"Lepc", "Lepcha"},
    {"Limb", "Limbu"},
    {"Lina", "Linear_A"},
    {"Linb", "Linear_B"},
    {"Lisu", "Lisu"},
    {"Lyci", "Lycian"},
    {"Lydi", "Lydian"},
    {"Mahj", "Mahajani"},
    {"Maka", "Makasar"},
    {"Mand", "Mandaic"},
    {"Mani", "Manichaean"},
    {"Marc", "Marchen"},
    {"Medf", "Medefaidrin"},
    {"Mend", "Mende_Kikakui"},
    {"Merc", "Meroitic_Cursive"},
    {"Mero", "Meroitic_Hieroglyphs"},
    {"Mlym", "Malayalam"},
    {"Modi", "Modi"},
    {"Mong", "Mongolian"},
    {"Mroo", "Mro"},
    {"Mtei", "Meetei_Mayek"},
    {"Mult", "Multani"},
    {"Mymr", "Myanmar"},
    {"Nagm", "Nag_Mundari"},
    {"Nand", "Nandinagari"},
    {"Narb", "Old_North_Arabian"},
    {"Nbat", "Nabataean"},
    {"Newa", "Newa"},
    {"Nkoo", "Nko"},
    {"Nshu", "Nushu"},
    {"Ogam", "Ogham"},
    {"Olck", "Ol_Chiki"},
    {"Onao", "Ol_Onal"},
    {"Orkh", "Old_Turkic"},
    {"Orya", "Oriya"},
    {"Osge", "Osage"},
    {"Osma", "Osmanya"},
    {"Ougr", "Old_Uyghur"},
    {"Palm", "Palmyrene"},
    {"Pauc", "Pau_Cin_Hau"},
    {"Perm", "Old_Permic"},
    {"Phag", "Phags_Pa"},
    {"Phli", "Inscriptional_Pahlavi"},
    {"Phlp", "Psalter_Pahlavi"},
    {"Phnx", "Phoenician"},
    {"Plrd", "Miao"},
    {"Prti", "Inscriptional_Parthian"},
    {"Rjng", "Rejang"},
    {"Rohg", "Hanifi_Rohingya"},
    {"Runr", "Runic"},
    {"Samr", "Samaritan"},
    {"Sarb", "Old_South_Arabian"},
    {"Saur", "Saurashtra"},
    {"Sgnw", "SignWriting"},
    {"Shaw", "Shavian"},
    {"Shrd", "Sharada"},
    {"Sidd", "Siddham"},
    {"Sind", "Khudawadi"},
    {"Sinh", "Sinhala"},
    {"Sogd", "Sogdian"},
    {"Sogo", "Old_Sogdian"},
    {"Sora", "Sora_Sompeng"},
    {"Soyo", "Soyombo"},
    {"Sund", "Sundanese"},
    {"Sunu", "Sunuwar"},
    {"Sylo", "Syloti_Nagri"},
    {"Syrc", "Syriac"},
    {"Tagb", "Tagbanwa"},
    {"Takr", "Takri"},
    {"Tale", "Tai_Le"},
    {"Talu", "New_Tai_Lue"},
    {"Taml", "Tamil"},
    {"Tang", "Tangut"},
    {"Tavt", "Tai_Viet"},
    {"Telu", "Telugu"},
    {"Tfng", "Tifinagh"},
    {"Tglg", "Tagalog"},
    {"Thaa", "Thaana"},
    {"Thai", "Thai"},
    {"Tibt", "Tibetan"},
    {"Tirh", "Tirhuta"},
    {"Tnsa", "Tangsa"},
    {"Todr", "Todhri"},
    {"Toto", "Toto"},
    {"Tutg", "Tulu_Tigalari"},
    {"Ugar", "Ugaritic"},
    {"Vaii", "Vai"},
    {"Vith", "Vithkuqi"},
    {"Wara", "Warang_Citi"},
    {"Wcho", "Wancho"},
    {"Xpeo", "Old_Persian"},
    {"Xsux", "Cuneiform"},
    {"Yezi", "Yezidi"},
    {"Yiii", "Yi"},
    {"Zanb", "Zanabazar_Square"},
    {"Zinh", "Inherited"},
    {"Qaai", "Inherited"},
    {"Zyyy", "Common"},
    {"Zzzz", "Unknown"},
};

template <std::size_t N>
const PropertyAlias* FindAlias(const PropertyAlias (&table)[N], std::string_view name) {
  for (const PropertyAlias& a : table) {
    if (a.ecma == name) return &a;
  }
  return nullptr;
}

std::optional<std::string_view> FindScript(std::string_view name) {
  for (const auto& [code, long_name] : kScripts) {
    if (name == code || name == long_name) return long_name;
  }
  return std::nullopt;
}

// --- PCRE2 handles ---------------------------------------------------------------------------

struct CodeFree {
  void operator()(pcre2_code* code) const { pcre2_code_free(code); }
};
struct MatchDataFree {
  void operator()(pcre2_match_data* data) const { pcre2_match_data_free(data); }
};
struct JitStackFree {
  void operator()(pcre2_jit_stack* stack) const { pcre2_jit_stack_free(stack); }
};
using CodePtr = std::unique_ptr<pcre2_code, CodeFree>;

// Compiles a pattern of our own making (or a piece of a translation) with plain PCRE2_UTF.
CodePtr CompileHelper(std::string_view pattern) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  return CodePtr(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                               PCRE2_UTF, &error, &offset, nullptr));
}

// --- Identifier characters for group names -------------------------------------------------

// ID_Start and ID_Continue characters of Unicode 15.0 to 17.0, which PCRE2 10.42's Unicode 14
// tables lack: the code points where Node 20.20 (ICU 78, Unicode 17) says yes and PCRE2 says no
// (there is none the other way). Generated by asking both about every code point.
constexpr Range kIdStartSinceUnicode14[] = {
    {0x88F, 0x88F},     {0xC5C, 0xC5C},     {0xCDC, 0xCDC},     {0x1C89, 0x1C8A},
    {0xA7CB, 0xA7CF},   {0xA7D2, 0xA7D2},   {0xA7D4, 0xA7D4},   {0xA7DA, 0xA7DC},
    {0xA7F1, 0xA7F1},   {0x105C0, 0x105F3}, {0x10940, 0x10959}, {0x10D4A, 0x10D65},
    {0x10D6F, 0x10D85}, {0x10EC2, 0x10EC7}, {0x1123F, 0x11240}, {0x11380, 0x11389},
    {0x1138B, 0x1138B}, {0x1138E, 0x1138E}, {0x11390, 0x113B5}, {0x113B7, 0x113B7},
    {0x113D1, 0x113D1}, {0x113D3, 0x113D3}, {0x11BC0, 0x11BE0}, {0x11DB0, 0x11DDB},
    {0x11F02, 0x11F02}, {0x11F04, 0x11F10}, {0x11F12, 0x11F33}, {0x1342F, 0x1342F},
    {0x13441, 0x13446}, {0x13460, 0x143FA}, {0x16100, 0x1611D}, {0x16D40, 0x16D6C},
    {0x16EA0, 0x16EB8}, {0x16EBB, 0x16ED3}, {0x16FF2, 0x16FF6}, {0x187F8, 0x187FF},
    {0x18CFF, 0x18CFF}, {0x18D09, 0x18D1E}, {0x18D80, 0x18DF2}, {0x1B132, 0x1B132},
    {0x1B155, 0x1B155}, {0x1DF25, 0x1DF2A}, {0x1E030, 0x1E06D}, {0x1E4D0, 0x1E4EB},
    {0x1E5D0, 0x1E5ED}, {0x1E5F0, 0x1E5F0}, {0x1E6C0, 0x1E6DE}, {0x1E6E0, 0x1E6E2},
    {0x1E6E4, 0x1E6E5}, {0x1E6E7, 0x1E6ED}, {0x1E6F0, 0x1E6F4}, {0x1E6FE, 0x1E6FF},
    {0x2B739, 0x2B73F}, {0x2CEA2, 0x2CEAD}, {0x2EBF0, 0x2EE5D}, {0x31350, 0x33479},
};
constexpr Range kIdContinueSinceUnicode14[] = {
    {0x88F, 0x88F},     {0x897, 0x897},     {0xC5C, 0xC5C},     {0xCDC, 0xCDC},
    {0xCF3, 0xCF3},     {0xECE, 0xECE},     {0x1ACF, 0x1ADD},   {0x1AE0, 0x1AEB},
    {0x1C89, 0x1C8A},   {0x30FB, 0x30FB},   {0xA7CB, 0xA7CF},   {0xA7D2, 0xA7D2},
    {0xA7D4, 0xA7D4},   {0xA7DA, 0xA7DC},   {0xA7F1, 0xA7F1},   {0xFF65, 0xFF65},
    {0x105C0, 0x105F3}, {0x10940, 0x10959}, {0x10D40, 0x10D65}, {0x10D69, 0x10D6D},
    {0x10D6F, 0x10D85}, {0x10EC2, 0x10EC7}, {0x10EFA, 0x10EFF}, {0x1123F, 0x11241},
    {0x11380, 0x11389}, {0x1138B, 0x1138B}, {0x1138E, 0x1138E}, {0x11390, 0x113B5},
    {0x113B7, 0x113C0}, {0x113C2, 0x113C2}, {0x113C5, 0x113C5}, {0x113C7, 0x113CA},
    {0x113CC, 0x113D3}, {0x113E1, 0x113E2}, {0x116D0, 0x116E3}, {0x11B60, 0x11B67},
    {0x11BC0, 0x11BE0}, {0x11BF0, 0x11BF9}, {0x11DB0, 0x11DDB}, {0x11DE0, 0x11DE9},
    {0x11F00, 0x11F10}, {0x11F12, 0x11F3A}, {0x11F3E, 0x11F42}, {0x11F50, 0x11F5A},
    {0x1342F, 0x1342F}, {0x13440, 0x13455}, {0x13460, 0x143FA}, {0x16100, 0x16139},
    {0x16D40, 0x16D6C}, {0x16D70, 0x16D79}, {0x16EA0, 0x16EB8}, {0x16EBB, 0x16ED3},
    {0x16FF2, 0x16FF6}, {0x187F8, 0x187FF}, {0x18CFF, 0x18CFF}, {0x18D09, 0x18D1E},
    {0x18D80, 0x18DF2}, {0x1B132, 0x1B132}, {0x1B155, 0x1B155}, {0x1CCF0, 0x1CCF9},
    {0x1DF25, 0x1DF2A}, {0x1E030, 0x1E06D}, {0x1E08F, 0x1E08F}, {0x1E4D0, 0x1E4F9},
    {0x1E5D0, 0x1E5FA}, {0x1E6C0, 0x1E6DE}, {0x1E6E0, 0x1E6F5}, {0x1E6FE, 0x1E6FF},
    {0x2B739, 0x2B73F}, {0x2CEA2, 0x2CEAD}, {0x2EBF0, 0x2EE5D}, {0x31350, 0x33479},
};

template <std::size_t N>
bool InRanges(const Range (&ranges)[N], char32_t c) {
  const Range* it = std::upper_bound(std::begin(ranges), std::end(ranges), c,
                                     [](char32_t v, const Range& r) { return v < r.lo; });
  return it != std::begin(ranges) && c <= (it - 1)->hi;
}

// Whether `c` is a RegExpIdentifierStart (first = true) or RegExpIdentifierPart character.
// PCRE2's Unicode tables plus the newer characters above. Names never reach PCRE2 (groups are
// numbered in the translation), so accepting characters its tables do not know is harmless.
bool IsIdentifierChar(char32_t c, bool first) {
  if (c == '$' || c == '_') return true;
  if (!first && (c == 0x200C || c == 0x200D)) return true;  // ZWNJ, ZWJ
  if (c < 0x80) return IsAsciiLetter(c) || (!first && IsDecimalDigit(c));
  if (IsSurrogate(c)) return false;
  if (first ? InRanges(kIdStartSinceUnicode14, c) : InRanges(kIdContinueSinceUnicode14, c)) {
    return true;
  }
  static const CodePtr kStart = CompileHelper("^\\p{ID_Start}");
  static const CodePtr kPart = CompileHelper("^\\p{ID_Continue}");
  const pcre2_code* code = first ? kStart.get() : kPart.get();
  if (code == nullptr) return false;
  const std::string utf8 = EncodeUtf8(c);
  thread_local std::unique_ptr<pcre2_match_data, MatchDataFree> data(
      pcre2_match_data_create(1, nullptr));
  if (data == nullptr) return false;
  return pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(utf8.data()), utf8.size(), 0, 0, data.get(),
                     nullptr) >= 0;
}

// --- The translator ----------------------------------------------------------------------------

// Parses an ECMA-262 Pattern (UnicodeMode) and writes the equivalent PCRE2 pattern.
// Single use: construct, call Translate once.
class Translator {
 public:
  explicit Translator(std::string_view source) : source_(source) {}

  // Fails with InvalidArgument when the source is not valid UTF-8 or not a valid pattern.
  Status Translate();

  const std::string& output() const { return out_; }
  // The byte offset in the source of the term whose translation contains `output_offset`.
  std::size_t SourceOffsetFor(std::size_t output_offset) const;
  // Each lookbehind: its source offset and its translation (a self-contained PCRE2 pattern).
  const std::vector<std::pair<std::size_t, std::string>>& lookbehinds() const {
    return lookbehinds_;
  }

 private:
  // An atom of a character class: one code point, or a set (\d, \p{L}, ...).
  struct ClassAtom {
    bool is_set = false;
    char32_t code_point = 0;
  };

  bool AtEnd() const { return pos_ >= cps_.size(); }
  char32_t Peek(std::size_t ahead = 0) const {
    return pos_ + ahead < cps_.size() ? cps_[pos_ + ahead] : char32_t{0xFFFFFFFF};
  }
  bool LookingAt(std::u32string_view s) const {
    if (pos_ + s.size() > cps_.size()) return false;
    return std::equal(s.begin(), s.end(), cps_.begin() + static_cast<std::ptrdiff_t>(pos_));
  }
  std::size_t ByteOffset(std::size_t cp_index) const { return byte_offsets_[cp_index]; }
  Status Error(std::string_view what, std::size_t cp_index) const;
  void Mark() { offset_map_.emplace_back(out_.size(), ByteOffset(pos_)); }

  void CountGroups();
  Status ParseDisjunction(int depth);
  Status ParseTerm(int depth);
  Status ParseGroup(int depth);
  Status ParseQuantifierIfAny();
  struct Bounds {
    std::uint64_t min = 0;
    std::uint64_t max = 0;
    bool unbounded = false;  // `{n,}`
  };
  // Parses `{n}`, `{n,}` or `{n,m}` at pos_; nullopt (pos_ unchanged) if it is not one.
  std::optional<Bounds> ParseBraceQuantifier();
  Status ParseAtomEscape();
  Status ParseClass();
  Result<ClassAtom> ParseClassAtom(ClassSpec* spec);
  // At the character after a backslash; CharacterEscape[+UnicodeMode].
  Result<char32_t> ParseCharacterEscape();
  // At the `u` of `\u`; RegExpUnicodeEscapeSequence[+UnicodeMode].
  Result<char32_t> ParseUnicodeEscape();
  // At the `p` or `P`; the PCRE2 escape for the property.
  Result<std::string> ParsePropertyEscape();
  // At the first character of a group name; returns the name and leaves pos_ after the `>`.
  Result<std::u32string> ParseGroupName();
  Status EmitBackreference(std::size_t group, std::size_t at);
  void EmitLiteral(char32_t c);

  std::string_view source_;
  std::vector<char32_t> cps_;
  std::vector<std::size_t> byte_offsets_;  // of each code point, plus the end
  std::size_t pos_ = 0;

  std::size_t group_count_ = 0;                    // capture groups in the whole pattern
  std::vector<std::u32string> group_names_;        // by group number - 1; empty if unnamed
  std::unordered_set<std::u32string> seen_names_;  // named groups parsed so far
  int lookbehind_depth_ = 0;

  std::string out_;
  std::vector<std::pair<std::size_t, std::size_t>> offset_map_;  // (output, source) offsets
  std::vector<std::pair<std::size_t, std::string>> lookbehinds_;
};

Status Translator::Error(std::string_view what, std::size_t cp_index) const {
  std::string message(what);
  message += " at offset ";
  message += std::to_string(ByteOffset(std::min(cp_index, cps_.size())));
  return InvalidArgumentError(std::move(message));
}

std::size_t Translator::SourceOffsetFor(std::size_t output_offset) const {
  std::size_t source = 0;
  for (const auto& [out, src] : offset_map_) {
    if (out > output_offset) break;
    source = src;
  }
  return source;
}

Status Translator::Translate() {
  std::string_view rest = source_;
  std::size_t offset = 0;
  while (!rest.empty()) {
    const Utf8Sequence c = DecodeUtf8(rest);
    if (c.length == 0) {
      return InvalidArgumentError("pattern is not valid UTF-8 at offset " + std::to_string(offset));
    }
    cps_.push_back(c.code_point);
    byte_offsets_.push_back(offset);
    offset += c.length;
    rest.remove_prefix(c.length);
  }
  byte_offsets_.push_back(offset);

  CountGroups();
  CAPCONF_RETURN_IF_ERROR(ParseDisjunction(0));
  if (!AtEnd()) return Error("unmatched ')'", pos_);  // the only way ParseDisjunction stops early
  return Status::Ok();
}

// A backreference may name a group that comes later, and in `u` mode `\N` is an error unless
// the pattern has at least N groups, so the groups are counted (and their names read) first.
void Translator::CountGroups() {
  bool in_class = false;
  for (std::size_t i = 0; i < cps_.size(); ++i) {
    const char32_t c = cps_[i];
    if (c == '\\') {
      ++i;
    } else if (in_class) {
      if (c == ']') in_class = false;
    } else if (c == '[') {
      in_class = true;
    } else if (c == '(') {
      if (i + 1 < cps_.size() && cps_[i + 1] != '?') {
        ++group_count_;
        group_names_.emplace_back();
      } else if (i + 3 < cps_.size() && cps_[i + 1] == '?' && cps_[i + 2] == '<' &&
                 cps_[i + 3] != '=' && cps_[i + 3] != '!') {
        ++group_count_;
        const std::size_t saved = pos_;
        pos_ = i + 3;
        Result<std::u32string> name = ParseGroupName();
        group_names_.push_back(name.ok() ? std::move(name).value() : std::u32string());
        if (name.ok()) i = pos_ - 1;
        pos_ = saved;
      }
    }
  }
}

Status Translator::ParseDisjunction(int depth) {
  while (true) {
    while (!AtEnd() && Peek() != '|' && Peek() != ')') {
      CAPCONF_RETURN_IF_ERROR(ParseTerm(depth));
    }
    if (AtEnd() || Peek() == ')') return Status::Ok();
    Mark();
    out_ += '|';
    ++pos_;
  }
}

Status Translator::ParseTerm(int depth) {
  Mark();
  const std::size_t start = pos_;
  const char32_t c = Peek();
  bool assertion = false;
  switch (c) {
    case '^':
      out_ += '^';
      ++pos_;
      assertion = true;
      break;
    case '$':
      out_ += "\\z";
      ++pos_;
      assertion = true;
      break;
    case '\\':
      if (Peek(1) == 'b' || Peek(1) == 'B') {
        out_ += '\\';
        out_ += static_cast<char>(Peek(1));
        pos_ += 2;
        assertion = true;
      } else {
        CAPCONF_RETURN_IF_ERROR(ParseAtomEscape());
      }
      break;
    case '(':
      if (LookingAt(U"(?=") || LookingAt(U"(?!") || LookingAt(U"(?<=") || LookingAt(U"(?<!")) {
        assertion = true;
      }
      CAPCONF_RETURN_IF_ERROR(ParseGroup(depth));
      break;
    case '[':
      CAPCONF_RETURN_IF_ERROR(ParseClass());
      break;
    case '.': {
      ClassSpec dot;
      dot.negated = true;
      AddRanges(kLineTerminatorRanges, false, &dot);
      out_ += EmitClass(dot);
      ++pos_;
      break;
    }
    case '*':
    case '+':
    case '?':
      return Error("nothing to repeat", pos_);
    case '{':
      if (ParseBraceQuantifier()) return Error("nothing to repeat", start);
      return Error("lone '{' (escape it as \\{)", pos_);
    case '}':
      return Error("lone '}' (escape it as \\})", pos_);
    case ']':
      return Error("lone ']' (escape it as \\])", pos_);
    default:
      EmitLiteral(c);
      ++pos_;
      break;
  }
  if (assertion) {
    // `u` mode allows no quantifier on any assertion, lookarounds included.
    if (!AtEnd() && (Peek() == '*' || Peek() == '+' || Peek() == '?' ||
                     (Peek() == '{' && ParseBraceQuantifier()))) {
      return Error("nothing to repeat", pos_);
    }
    return Status::Ok();
  }
  return ParseQuantifierIfAny();
}

Status Translator::ParseGroup(int depth) {
  const std::size_t start = pos_;
  if (depth >= kMaxGroupNesting) return Error("groups nested too deeply", start);
  bool lookbehind = false;
  const std::size_t out_start = out_.size();
  if (LookingAt(U"(?:") || LookingAt(U"(?=") || LookingAt(U"(?!")) {
    out_.append("(?");
    out_ += static_cast<char>(Peek(2));
    pos_ += 3;
  } else if (LookingAt(U"(?<=") || LookingAt(U"(?<!")) {
    out_.append("(?<");
    out_ += static_cast<char>(Peek(3));
    pos_ += 4;
    lookbehind = true;
  } else if (LookingAt(U"(?<")) {
    pos_ += 3;
    CAPCONF_ASSIGN_OR_RETURN(std::u32string name, ParseGroupName());
    if (!seen_names_.insert(name).second) return Error("duplicate capture group name", start);
    out_ += '(';
  } else if (LookingAt(U"(?")) {
    // Inline flags, comments, atomic groups, (?P<..>), (?|..) and the rest are PCRE2/Perl only.
    return Error("invalid group", start);
  } else {
    out_ += '(';
    ++pos_;
  }
  if (lookbehind) ++lookbehind_depth_;
  CAPCONF_RETURN_IF_ERROR(ParseDisjunction(depth + 1));
  if (lookbehind) --lookbehind_depth_;
  if (AtEnd()) return Error("unterminated group", start);
  ++pos_;  // ')'
  Mark();
  out_ += ')';
  if (lookbehind) lookbehinds_.emplace_back(ByteOffset(start), out_.substr(out_start));
  return Status::Ok();
}

std::optional<Translator::Bounds> Translator::ParseBraceQuantifier() {
  std::size_t i = pos_;
  if (i >= cps_.size() || cps_[i] != '{') return std::nullopt;
  ++i;
  // Saturates: ECMA allows any size, and anything this large is over PCRE2's limit anyway.
  const auto read_number = [&](std::uint64_t* value) {
    const std::size_t begin = i;
    *value = 0;
    while (i < cps_.size() && IsDecimalDigit(cps_[i])) {
      *value = std::min<std::uint64_t>(*value * 10 + (cps_[i] - '0'), 1ULL << 40);
      ++i;
    }
    return i > begin;
  };
  Bounds bounds;
  if (!read_number(&bounds.min)) return std::nullopt;
  bounds.max = bounds.min;
  if (i < cps_.size() && cps_[i] == ',') {
    ++i;
    bounds.unbounded = !read_number(&bounds.max);
  }
  if (i >= cps_.size() || cps_[i] != '}') return std::nullopt;
  pos_ = i + 1;
  return bounds;
}

Status Translator::ParseQuantifierIfAny() {
  if (AtEnd()) return Status::Ok();
  const std::size_t start = pos_;
  const char32_t c = Peek();
  if (c == '*' || c == '+' || c == '?') {
    out_ += static_cast<char>(c);
    ++pos_;
  } else if (c == '{') {
    const auto bounds = ParseBraceQuantifier();
    if (!bounds) return Error("incomplete quantifier", start);
    if (!bounds->unbounded && bounds->max < bounds->min) {
      return Error("numbers out of order in {} quantifier", start);
    }
    if (bounds->min > kMaxRepeat || (!bounds->unbounded && bounds->max > kMaxRepeat)) {
      return Error("quantifier bound above 65535 is not supported", start);
    }
    out_ += '{';
    out_ += std::to_string(bounds->min);
    if (bounds->unbounded) {
      out_ += ',';
    } else if (bounds->max != bounds->min) {
      out_ += ',';
      out_ += std::to_string(bounds->max);
    }
    out_ += '}';
  } else {
    return Status::Ok();
  }
  if (Peek() == '?') {  // lazy
    out_ += '?';
    ++pos_;
  }
  return Status::Ok();
}

void Translator::EmitLiteral(char32_t c) {
  if (IsSurrogate(c)) {
    // A lone surrogate cannot occur in a UTF-8 subject.
    out_ += "(?:(?!))";
  } else if (c < 0x80 && (IsAsciiLetter(c) || IsDecimalDigit(c))) {
    out_ += static_cast<char>(c);
  } else if (c > 0x20 && c < 0x7F) {
    // ASCII punctuation: a backslash before it always means the character itself in PCRE2.
    out_ += '\\';
    out_ += static_cast<char>(c);
  } else {
    out_ += HexEscape(c);
  }
}

Status Translator::EmitBackreference(std::size_t group, std::size_t at) {
  if (lookbehind_depth_ > 0) {
    return Error("backreference inside a lookbehind is not supported", at);
  }
  const std::string n = std::to_string(group);
  out_ += "(?(" + n + ")\\g{" + n + "})";
  return Status::Ok();
}

Status Translator::ParseAtomEscape() {
  const std::size_t start = pos_;
  ++pos_;  // '\'
  if (AtEnd()) return Error("\\ at end of pattern", start);
  const char32_t c = Peek();
  if (c >= '1' && c <= '9') {
    std::uint64_t n = 0;
    while (!AtEnd() && IsDecimalDigit(Peek())) {
      n = std::min<std::uint64_t>(n * 10 + (Peek() - '0'), 1ULL << 40);
      ++pos_;
    }
    if (n > group_count_) return Error("backreference to a group that does not exist", start);
    return EmitBackreference(static_cast<std::size_t>(n), start);
  }
  if (c == 'k') {
    ++pos_;
    if (Peek() != '<') return Error("invalid named reference", start);
    ++pos_;
    CAPCONF_ASSIGN_OR_RETURN(std::u32string name, ParseGroupName());
    const auto it = std::find(group_names_.begin(), group_names_.end(), name);
    if (it == group_names_.end()) return Error("reference to an unknown group name", start);
    const auto group = static_cast<std::size_t>(it - group_names_.begin()) + 1;
    return EmitBackreference(group, start);
  }
  ClassSpec spec;
  switch (c) {
    case 'd':
    case 'D':
    case 'w':
    case 'W':
    case 's':
    case 'S': {
      const char32_t lower = c | 0x20;
      if (lower == 'd') {
        AddRanges(kDigitRanges, false, &spec);
      } else if (lower == 'w') {
        AddRanges(kWordRanges, false, &spec);
      } else {
        AddRanges(kSpaceRanges, false, &spec);
      }
      spec.negated = c != lower;  // the upper-case escape is the complement
      out_ += EmitClass(spec);
      ++pos_;
      return Status::Ok();
    }
    case 'p':
    case 'P': {
      CAPCONF_ASSIGN_OR_RETURN(std::string property, ParsePropertyEscape());
      out_ += property;
      return Status::Ok();
    }
    default:
      break;
  }
  CAPCONF_ASSIGN_OR_RETURN(char32_t literal, ParseCharacterEscape());
  EmitLiteral(literal);
  return Status::Ok();
}

Result<char32_t> Translator::ParseCharacterEscape() {
  const std::size_t start = pos_ - 1;  // the backslash
  const char32_t c = Peek();
  switch (c) {
    case 'f':
      ++pos_;
      return char32_t{0x0C};
    case 'n':
      ++pos_;
      return char32_t{0x0A};
    case 'r':
      ++pos_;
      return char32_t{0x0D};
    case 't':
      ++pos_;
      return char32_t{0x09};
    case 'v':
      ++pos_;
      return char32_t{0x0B};
    case 'c':
      if (!IsAsciiLetter(Peek(1))) return Error("\\c must be followed by an ASCII letter", start);
      pos_ += 2;
      return static_cast<char32_t>(cps_[pos_ - 1] % 32);
    case '0':
      if (IsDecimalDigit(Peek(1))) return Error("invalid decimal escape", start);
      ++pos_;
      return char32_t{0};
    case 'x': {
      const int hi = HexValue(Peek(1));
      const int lo = HexValue(Peek(2));
      if (hi < 0 || lo < 0) return Error("\\x must be followed by two hex digits", start);
      pos_ += 3;
      return static_cast<char32_t>(hi * 16 + lo);
    }
    case 'u':
      return ParseUnicodeEscape();
    default:
      break;
  }
  if (IsSyntaxCharacter(c) || c == '/') {
    ++pos_;
    return c;
  }
  std::string what = "invalid escape";
  if (c >= 0x20 && c < 0x7F) {
    what += " '\\";
    what += static_cast<char>(c);
    what += '\'';
  }
  return Error(what, start);
}

Result<char32_t> Translator::ParseUnicodeEscape() {
  const std::size_t start = pos_ - 1;
  ++pos_;  // 'u'
  if (Peek() == '{') {
    ++pos_;
    std::uint64_t value = 0;
    std::size_t digits = 0;
    while (!AtEnd() && HexValue(Peek()) >= 0) {
      value = std::min<std::uint64_t>(value * 16 + static_cast<unsigned>(HexValue(Peek())),
                                      kMaxCodePoint + 1);
      ++digits;
      ++pos_;
    }
    if (digits == 0 || Peek() != '}' || value > kMaxCodePoint) {
      return Error("invalid Unicode escape", start);
    }
    ++pos_;
    return static_cast<char32_t>(value);
  }
  const auto read4 = [&](std::size_t at) -> int {
    int value = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const int h = at + k < cps_.size() ? HexValue(cps_[at + k]) : -1;
      if (h < 0) return -1;
      value = value * 16 + h;
    }
    return value;
  };
  const int value = read4(pos_);
  if (value < 0) return Error("invalid Unicode escape", start);
  pos_ += 4;
  const auto cp = static_cast<char32_t>(value);
  // In `u` mode `\uD83D\uDE00` is one code point, the pair's.
  if (IsLeadSurrogate(cp) && Peek() == '\\' && Peek(1) == 'u') {
    const int trail = read4(pos_ + 2);
    if (trail >= 0 && IsTrailSurrogate(static_cast<char32_t>(trail))) {
      pos_ += 6;
      return 0x10000 + ((cp - 0xD800) << 10) + (static_cast<char32_t>(trail) - 0xDC00);
    }
  }
  return cp;
}

Result<std::string> Translator::ParsePropertyEscape() {
  const std::size_t start = pos_ - 1;
  const bool negated = Peek() == 'P';
  ++pos_;
  if (Peek() != '{') return Error("invalid property name", start);
  ++pos_;
  std::string text;
  while (!AtEnd() && Peek() != '}') {
    const char32_t c = Peek();
    if (!IsAsciiLetter(c) && !IsDecimalDigit(c) && c != '_' && c != '=') {
      return Error("invalid property name", start);
    }
    text += static_cast<char>(c);
    ++pos_;
  }
  if (AtEnd()) return Error("invalid property name", start);
  ++pos_;  // '}'

  std::string pcre;
  const std::size_t eq = text.find('=');
  if (eq != std::string::npos) {
    const std::string_view name = std::string_view(text).substr(0, eq);
    const std::string_view value = std::string_view(text).substr(eq + 1);
    if (name == "General_Category" || name == "gc") {
      const PropertyAlias* gc = FindAlias(kGeneralCategories, value);
      if (gc == nullptr) return Error("invalid property name", start);
      pcre = gc->pcre;
    } else if (name == "Script" || name == "sc" || name == "Script_Extensions" || name == "scx") {
      const std::optional<std::string_view> script = FindScript(value);
      if (!script) return Error("invalid property name", start);
      pcre = (name == "Script" || name == "sc") ? "sc:" : "scx:";
      pcre += *script;
    } else {
      return Error("invalid property name", start);
    }
  } else if (const PropertyAlias* gc = FindAlias(kGeneralCategories, text)) {
    pcre = gc->pcre;
  } else if (text == "Assigned") {
    return std::string(negated ? "\\p{Cn}" : "\\P{Cn}");
  } else if (const PropertyAlias* binary = FindAlias(kBinaryProperties, text)) {
    if (binary->pcre.empty()) {
      return Error("Unicode property '" + text + "' is not supported by this engine", start);
    }
    pcre = binary->pcre;
  } else {
    return Error("invalid property name", start);
  }
  return std::string(negated ? "\\P{" : "\\p{") + pcre + "}";
}

Result<std::u32string> Translator::ParseGroupName() {
  const std::size_t start = pos_;
  std::u32string name;
  while (!AtEnd() && Peek() != '>') {
    char32_t c = Peek();
    const std::size_t at = pos_;
    if (c == '\\') {
      ++pos_;
      if (Peek() != 'u') return Error("invalid capture group name", at);
      CAPCONF_ASSIGN_OR_RETURN(c, ParseUnicodeEscape());
    } else {
      ++pos_;
    }
    if (!IsIdentifierChar(c, name.empty())) return Error("invalid capture group name", at);
    name += c;
  }
  if (AtEnd() || name.empty()) return Error("invalid capture group name", start);
  ++pos_;  // '>'
  return name;
}

Status Translator::ParseClass() {
  const std::size_t start = pos_;
  ++pos_;  // '['
  ClassSpec spec;
  if (Peek() == '^') {
    spec.negated = true;
    ++pos_;
  }
  while (true) {
    if (AtEnd()) return Error("unterminated character class", start);
    if (Peek() == ']') {
      ++pos_;
      break;
    }
    const std::size_t atom_start = pos_;
    CAPCONF_ASSIGN_OR_RETURN(ClassAtom first, ParseClassAtom(&spec));
    if (Peek() == '-' && Peek(1) != ']' && pos_ + 1 < cps_.size()) {
      ++pos_;  // '-'
      CAPCONF_ASSIGN_OR_RETURN(ClassAtom last, ParseClassAtom(&spec));
      if (first.is_set || last.is_set) {
        return Error("invalid character class range (a class escape cannot be an end)", atom_start);
      }
      if (first.code_point > last.code_point) {
        return Error("range out of order in character class", atom_start);
      }
      spec.ranges.push_back({first.code_point, last.code_point});
    } else if (!first.is_set) {
      spec.ranges.push_back({first.code_point, first.code_point});
    }
  }
  out_ += EmitClass(spec);
  return Status::Ok();
}

Result<Translator::ClassAtom> Translator::ParseClassAtom(ClassSpec* spec) {
  const char32_t c = Peek();
  if (c != '\\') {
    ++pos_;
    return ClassAtom{false, c};
  }
  const std::size_t start = pos_;
  ++pos_;
  if (AtEnd()) return Error("\\ at end of pattern", start);
  const char32_t e = Peek();
  switch (e) {
    case 'b':
      ++pos_;
      return ClassAtom{false, 0x08};
    case '-':
      ++pos_;
      return ClassAtom{false, '-'};
    case 'd':
    case 'D':
      AddRanges(kDigitRanges, e == 'D', spec);
      ++pos_;
      return ClassAtom{true, 0};
    case 'w':
    case 'W':
      AddRanges(kWordRanges, e == 'W', spec);
      ++pos_;
      return ClassAtom{true, 0};
    case 's':
    case 'S':
      AddRanges(kSpaceRanges, e == 'S', spec);
      ++pos_;
      return ClassAtom{true, 0};
    case 'p':
    case 'P': {
      CAPCONF_ASSIGN_OR_RETURN(std::string property, ParsePropertyEscape());
      spec->properties.push_back(std::move(property));
      return ClassAtom{true, 0};
    }
    default:
      break;
  }
  if (IsDecimalDigit(e) && e != '0') return Error("invalid class escape", start);
  CAPCONF_ASSIGN_OR_RETURN(char32_t literal, ParseCharacterEscape());
  return ClassAtom{false, literal};
}

// --- The Annex B syntax check ------------------------------------------------------------------

// V8's most capture groups in one pattern (Node 20): 32767 compile, 32768 are "Too many captures".
constexpr std::size_t kMaxLegacyCaptures = 32767;
// V8 reads a quantifier bound that overflows as this (RegExpTree::kInfinity), so /a{9999999999,
// 2147483647}/ is valid there: both bounds are "infinity".
constexpr std::uint64_t kLegacyInfinity = 0x7FFFFFFF;

// Decides whether `new RegExp(source)` (no flags) compiles in V8, by ECMA-262's Pattern grammar
// with the [~UnicodeMode] parameter and the Annex B extensions (B.1.2): identity escapes of any
// character but `c` (and `k` once the pattern has a named group), lone `{` `}` `]`, legacy octal,
// `\c` without a letter, a class escape as a range end, quantified lookaheads. The pattern is
// read as UTF-16 code units, as JavaScript sees it, so a non-BMP character is two units: a class
// range from U+1F600 to U+1F602 runs from a trailing surrogate down to a leading one, a
// SyntaxError. Iterative: open groups are a stack, so hostile nesting costs a few bytes per
// level, not a stack frame. Single use: construct, call Check once.
class LegacySyntaxChecker {
 public:
  explicit LegacySyntaxChecker(std::string_view source) : source_(source) {}

  // InvalidArgument with a one-line reason, or Ok.
  Status Check();

 private:
  enum class Group : std::uint8_t { kCapture, kNonCapture, kLookahead, kLookbehind };
  // A class atom: one code unit, or a class escape (\d \D \s \S \w \W), which has no value.
  struct ClassAtom {
    bool is_set = false;
    char32_t value = 0;
  };
  struct Bounds {
    std::uint64_t min = 0;
    std::uint64_t max = 0;
  };

  static constexpr char32_t kEnd = 0xFFFFFFFF;
  bool AtEnd() const { return pos_ >= units_.size(); }
  char32_t Peek(std::size_t ahead = 0) const {
    return pos_ + ahead < units_.size() ? char32_t{units_[pos_ + ahead]} : kEnd;
  }
  // The value of `count` hex digits at pos_ + `ahead`, or -1 if they are not all there.
  int HexAt(std::size_t ahead, std::size_t count) const;
  Status Error(std::string_view what, std::size_t unit_index) const;

  Status Decode();
  void ScanForNamedGroups();
  // At `(`; the kind of group it opens, with pos_ after the opening (and any name).
  Result<Group> ParseGroupOpen();
  // At the first character after `<`; the name, with pos_ after the closing `>`.
  Result<std::u32string> ParseGroupName();
  Status ParseAtomEscape();
  Status ParseClass();
  Result<ClassAtom> ParseClassAtom();
  // `{n}`, `{n,}` or `{n,m}` at pos_ (then pos_ is after it), or nullopt (pos_ unchanged).
  std::optional<Bounds> ParseBraceQuantifier();

  std::string_view source_;
  std::u16string units_;
  std::size_t pos_ = 0;
  bool has_named_groups_ = false;  // decides what `\k` means
  std::size_t captures_ = 0;
  std::unordered_set<std::u32string> names_;
  std::vector<std::pair<std::u32string, std::size_t>> references_;  // \k<name>, unit index
};

int LegacySyntaxChecker::HexAt(std::size_t ahead, std::size_t count) const {
  int value = 0;
  for (std::size_t k = 0; k < count; ++k) {
    const char32_t c = Peek(ahead + k);
    const int h = c == kEnd ? -1 : HexValue(c);
    if (h < 0) return -1;
    value = value * 16 + h;
  }
  return value;
}

Status LegacySyntaxChecker::Error(std::string_view what, std::size_t unit_index) const {
  // Units back to bytes: only on failure, so a second pass over the source is cheap enough.
  std::size_t bytes = 0;
  std::size_t units = 0;
  while (bytes < source_.size()) {
    const Utf8Sequence c = DecodeUtf8(source_.substr(bytes));
    units += c.code_point > 0xFFFF ? 2 : 1;
    if (units > unit_index) break;  // the character holding that unit (half a pair, perhaps)
    bytes += c.length;
  }
  std::string message(what);
  message += " at offset ";
  message += std::to_string(bytes);
  return InvalidArgumentError(std::move(message));
}

Status LegacySyntaxChecker::Decode() {
  units_.reserve(source_.size());
  std::size_t offset = 0;
  while (offset < source_.size()) {
    if (static_cast<std::uint8_t>(source_[offset]) < 0x80) {  // patterns are mostly ASCII
      units_ += static_cast<char16_t>(source_[offset++]);
      continue;
    }
    const Utf8Sequence c = DecodeUtf8(source_.substr(offset));
    if (c.length == 0) {
      return InvalidArgumentError("pattern is not valid UTF-8 at offset " + std::to_string(offset));
    }
    if (c.code_point > 0xFFFF) {
      const char32_t v = c.code_point - 0x10000;
      units_ += static_cast<char16_t>(0xD800 + (v >> 10));
      units_ += static_cast<char16_t>(0xDC00 + (v & 0x3FF));
    } else {
      units_ += static_cast<char16_t>(c.code_point);
    }
    offset += c.length;
  }
  return Status::Ok();
}

// Without the `u` flag `\k` is a plain `k` unless the pattern has a named group anywhere (ECMA
// parses again with [+NamedCaptureGroups]). This is V8's own look-ahead: a `(?<` outside a
// class and not followed by `=` or `!`, whether or not the name turns out to be valid.
void LegacySyntaxChecker::ScanForNamedGroups() {
  bool in_class = false;
  for (std::size_t i = 0; i < units_.size(); ++i) {
    const char16_t c = units_[i];
    if (c == '\\') {
      ++i;
    } else if (c == '[') {
      in_class = true;
    } else if (c == ']') {
      in_class = false;
    } else if (c == '(' && !in_class && i + 2 < units_.size() && units_[i + 1] == '?' &&
               units_[i + 2] == '<' &&
               (i + 3 >= units_.size() || (units_[i + 3] != '=' && units_[i + 3] != '!'))) {
      has_named_groups_ = true;
      return;
    }
  }
}

Status LegacySyntaxChecker::Check() {
  CAPCONF_RETURN_IF_ERROR(Decode());
  ScanForNamedGroups();
  struct OpenGroup {
    Group kind;
    std::size_t start;
  };
  std::vector<OpenGroup> groups;  // innermost last
  // What a quantifier here would apply to: an atom, nothing (the start of an alternative, an
  // assertion, another quantifier), or a lookbehind, which may not take one either.
  enum class Last { kNothing, kAtom, kLookbehind };
  Last last = Last::kNothing;
  const auto check_quantifiable = [&](std::size_t at) {
    if (last == Last::kAtom) return Status::Ok();
    return Error(
        last == Last::kLookbehind ? "a lookbehind cannot take a quantifier" : "nothing to repeat",
        at);
  };
  while (!AtEnd()) {
    const std::size_t start = pos_;
    switch (Peek()) {
      case '|':
        ++pos_;
        last = Last::kNothing;
        break;
      case '(': {
        CAPCONF_ASSIGN_OR_RETURN(const Group kind, ParseGroupOpen());
        groups.push_back({kind, start});
        last = Last::kNothing;
        break;
      }
      case ')':
        if (groups.empty()) return Error("unmatched ')'", start);
        // Annex B lets a lookahead take a quantifier; a lookbehind never may.
        last = groups.back().kind == Group::kLookbehind ? Last::kLookbehind : Last::kAtom;
        groups.pop_back();
        ++pos_;
        break;
      case '^':
      case '$':
        ++pos_;
        last = Last::kNothing;
        break;
      case '\\':
        if (Peek(1) == 'b' || Peek(1) == 'B') {
          pos_ += 2;
          last = Last::kNothing;
        } else {
          CAPCONF_RETURN_IF_ERROR(ParseAtomEscape());
          last = Last::kAtom;
        }
        break;
      case '[':
        CAPCONF_RETURN_IF_ERROR(ParseClass());
        last = Last::kAtom;
        break;
      case '*':
      case '+':
      case '?':
        CAPCONF_RETURN_IF_ERROR(check_quantifiable(start));
        ++pos_;
        if (Peek() == '?') ++pos_;  // lazy
        last = Last::kNothing;
        break;
      case '{':
        if (const std::optional<Bounds> bounds = ParseBraceQuantifier()) {
          CAPCONF_RETURN_IF_ERROR(check_quantifiable(start));
          if (bounds->max < bounds->min) {
            return Error("numbers out of order in {} quantifier", start);
          }
          if (Peek() == '?') ++pos_;
          last = Last::kNothing;
        } else {
          ++pos_;  // a `{` that starts no quantifier is a literal (Annex B)
          last = Last::kAtom;
        }
        break;
      default:  // `.`, and every other character (`]` and `}` included) is an atom
        ++pos_;
        last = Last::kAtom;
        break;
    }
  }
  if (!groups.empty()) return Error("unterminated group", groups.back().start);
  for (const auto& [name, at] : references_) {
    if (names_.count(name) == 0) return Error("reference to an unknown group name", at);
  }
  return Status::Ok();
}

Result<LegacySyntaxChecker::Group> LegacySyntaxChecker::ParseGroupOpen() {
  const std::size_t start = pos_;
  Group kind = Group::kCapture;
  if (Peek(1) != '?') {
    ++pos_;
  } else if (Peek(2) == ':') {
    kind = Group::kNonCapture;
    pos_ += 3;
  } else if (Peek(2) == '=' || Peek(2) == '!') {
    kind = Group::kLookahead;
    pos_ += 3;
  } else if (Peek(2) == '<' && (Peek(3) == '=' || Peek(3) == '!')) {
    kind = Group::kLookbehind;
    pos_ += 4;
  } else if (Peek(2) == '<') {
    pos_ += 3;
    CAPCONF_ASSIGN_OR_RETURN(std::u32string name, ParseGroupName());
    if (!names_.insert(std::move(name)).second) {
      return Error("duplicate capture group name", start);
    }
  } else {
    // Inline flags and modifiers, comments, atomic groups, (?P<..>): not JavaScript (Node 20).
    return Error("invalid group", start);
  }
  if (kind == Group::kCapture && ++captures_ > kMaxLegacyCaptures) {
    return Error("more than 32767 capture groups", start);
  }
  return kind;
}

// Group names are read as code points even without the `u` flag (ES2020): a surrogate pair, raw
// or as two \u escapes, is one character, and \u{...} is allowed.
Result<std::u32string> LegacySyntaxChecker::ParseGroupName() {
  const std::size_t start = pos_;
  std::u32string name;
  while (true) {
    if (AtEnd()) return Error("invalid capture group name", start);
    const std::size_t at = pos_;
    char32_t c = Peek();
    if (c == '>') {
      if (name.empty()) return Error("invalid capture group name", start);
      ++pos_;
      return name;
    }
    if (c == '\\') {
      if (Peek(1) != 'u') return Error("invalid capture group name", at);
      if (Peek(2) == '{') {
        pos_ += 3;
        std::uint64_t value = 0;
        std::size_t digits = 0;
        while (!AtEnd() && HexValue(Peek()) >= 0) {
          value = std::min<std::uint64_t>(value * 16 + static_cast<unsigned>(HexValue(Peek())),
                                          kMaxCodePoint + 1);
          ++digits;
          ++pos_;
        }
        if (digits == 0 || Peek() != '}' || value > kMaxCodePoint) {
          return Error("invalid Unicode escape in a capture group name", at);
        }
        ++pos_;
        c = static_cast<char32_t>(value);
      } else {
        const int value = HexAt(2, 4);
        if (value < 0) return Error("invalid Unicode escape in a capture group name", at);
        pos_ += 6;
        c = static_cast<char32_t>(value);
        const int trail = Peek() == '\\' && Peek(1) == 'u' ? HexAt(2, 4) : -1;
        if (IsLeadSurrogate(c) && trail >= 0 && IsTrailSurrogate(static_cast<char32_t>(trail))) {
          c = 0x10000 + ((c - 0xD800) << 10) + (static_cast<char32_t>(trail) - 0xDC00);
          pos_ += 6;
        }
      }
    } else if (IsLeadSurrogate(c) && IsTrailSurrogate(Peek(1))) {
      c = 0x10000 + ((c - 0xD800) << 10) + (Peek(1) - 0xDC00);
      pos_ += 2;
    } else {
      ++pos_;
    }
    if (!IsIdentifierChar(c, name.empty())) return Error("invalid capture group name", at);
    name += c;
  }
}

Status LegacySyntaxChecker::ParseAtomEscape() {
  const std::size_t start = pos_;
  ++pos_;  // '\'
  if (AtEnd()) return Error("\\ at end of pattern", start);
  const char32_t c = Peek();
  if (c == 'k' && has_named_groups_) {
    ++pos_;
    if (Peek() != '<') return Error("invalid named reference", start);
    ++pos_;
    CAPCONF_ASSIGN_OR_RETURN(std::u32string name, ParseGroupName());
    references_.emplace_back(std::move(name), start);
    return Status::Ok();
  }
  // What follows a backslash is an atom, whatever it is; only its length matters here, for
  // the braces of /\u{41}{2}/ (an identity `u`, `{41}`, then a quantifier with nothing to
  // repeat). Decimal escapes may stop early: the digits after are atoms either way.
  if (c == 'c') {
    if (IsAsciiLetter(Peek(1))) pos_ += 2;  // otherwise the `\` alone is the atom
  } else if (c == 'x' && HexAt(1, 2) >= 0) {
    pos_ += 3;
  } else if (c == 'u' && HexAt(1, 4) >= 0) {
    pos_ += 5;
  } else {
    ++pos_;
  }
  return Status::Ok();
}

Status LegacySyntaxChecker::ParseClass() {
  const std::size_t start = pos_;
  ++pos_;  // '['
  if (Peek() == '^') ++pos_;
  while (true) {
    if (AtEnd()) return Error("unterminated character class", start);
    if (Peek() == ']') {
      ++pos_;
      return Status::Ok();
    }
    const std::size_t atom_start = pos_;
    CAPCONF_ASSIGN_OR_RETURN(const ClassAtom first, ParseClassAtom());
    if (Peek() != '-') continue;
    ++pos_;
    if (AtEnd() || Peek() == ']') continue;  // a final `-` is a literal
    CAPCONF_ASSIGN_OR_RETURN(const ClassAtom last, ParseClassAtom());
    // Annex B: a range with a class escape at either end is the union of both ends and `-`.
    if (!first.is_set && !last.is_set && first.value > last.value) {
      return Error("range out of order in character class", atom_start);
    }
  }
}

Result<LegacySyntaxChecker::ClassAtom> LegacySyntaxChecker::ParseClassAtom() {
  const char32_t c = Peek();
  ++pos_;
  if (c != '\\') return ClassAtom{false, c};
  const std::size_t start = pos_ - 1;
  if (AtEnd()) return Error("\\ at end of pattern", start);
  const char32_t e = Peek();
  switch (e) {
    case 'd':
    case 'D':
    case 's':
    case 'S':
    case 'w':
    case 'W':
      ++pos_;
      return ClassAtom{true, 0};
    case 'b':
      ++pos_;
      return ClassAtom{false, 0x08};
    case 'f':
      ++pos_;
      return ClassAtom{false, 0x0C};
    case 'n':
      ++pos_;
      return ClassAtom{false, 0x0A};
    case 'r':
      ++pos_;
      return ClassAtom{false, 0x0D};
    case 't':
      ++pos_;
      return ClassAtom{false, 0x09};
    case 'v':
      ++pos_;
      return ClassAtom{false, 0x0B};
    case 'c': {
      // In a class, Annex B also takes a digit or `_` as the control letter.
      const char32_t letter = Peek(1);
      if (IsAsciiLetter(letter) || IsDecimalDigit(letter) || letter == '_') {
        pos_ += 2;
        return ClassAtom{false, letter % 32};
      }
      return ClassAtom{false, '\\'};  // the `\` alone; the `c` is the next atom
    }
    case 'x':
      if (const int value = HexAt(1, 2); value >= 0) {
        pos_ += 3;
        return ClassAtom{false, static_cast<char32_t>(value)};
      }
      break;
    case 'u':
      // Without the `u` flag only \uXXXX, one code unit; no pairs, no \u{...}.
      if (const int value = HexAt(1, 4); value >= 0) {
        pos_ += 5;
        return ClassAtom{false, static_cast<char32_t>(value)};
      }
      break;
    case 'k':
      if (has_named_groups_) {
        return Error("invalid escape '\\k' in a class (the pattern has named groups)", start);
      }
      break;
    default:
      break;
  }
  if (e >= '0' && e <= '7') {
    // Legacy octal: up to three digits, at most \377. (In a class \1 is never a backreference.)
    char32_t value = e - '0';
    ++pos_;
    if (Peek() >= '0' && Peek() <= '7') {
      value = value * 8 + (Peek() - '0');
      ++pos_;
      if (value < 32 && Peek() >= '0' && Peek() <= '7') {
        value = value * 8 + (Peek() - '0');
        ++pos_;
      }
    }
    return ClassAtom{false, value};
  }
  ++pos_;  // an identity escape: `\-`, `\8`, `\B`, `\a`, `\x` without two hex digits, ...
  return ClassAtom{false, e};
}

std::optional<LegacySyntaxChecker::Bounds> LegacySyntaxChecker::ParseBraceQuantifier() {
  std::size_t i = pos_ + 1;  // after '{'
  const auto read_number = [&](std::uint64_t* value) {
    const std::size_t begin = i;
    *value = 0;
    while (i < units_.size() && IsDecimalDigit(units_[i])) {
      *value = std::min<std::uint64_t>(*value * 10 + (units_[i] - '0'), kLegacyInfinity);
      ++i;
    }
    return i > begin;
  };
  Bounds bounds;
  if (!read_number(&bounds.min)) return std::nullopt;
  bounds.max = bounds.min;
  if (i < units_.size() && units_[i] == ',') {
    ++i;
    if (!read_number(&bounds.max)) bounds.max = kLegacyInfinity;
  }
  if (i >= units_.size() || units_[i] != '}') return std::nullopt;
  pos_ = i + 1;
  return bounds;
}

// --- Per-thread match state --------------------------------------------------------------------

// One match data block per thread, shared by every pattern: Search only needs yes or no, so a
// single ovector pair is enough (PCRE2 keeps the captures it needs while matching internally).
pcre2_match_data* ThreadMatchData() {
  thread_local std::unique_ptr<pcre2_match_data, MatchDataFree> data(
      pcre2_match_data_create(1, nullptr));
  return data.get();
}

// JIT stacks must not be shared between threads; the callback hands each thread its own. It
// reserves 1 MiB of address space and commits pages as the stack grows.
pcre2_jit_stack* ThreadJitStack(void* /*unused*/) {
  thread_local std::unique_ptr<pcre2_jit_stack, JitStackFree> stack(
      pcre2_jit_stack_create(32 * 1024, 1024 * 1024, nullptr));
  return stack.get();  // null (on failure) makes PCRE2 use 32 KiB of the machine stack
}

std::string Pcre2Message(int error) {
  std::array<PCRE2_UCHAR, 256> buffer{};
  if (pcre2_get_error_message(error, buffer.data(), buffer.size()) < 0) {
    return "PCRE2 error " + std::to_string(error);
  }
  return std::string(reinterpret_cast<const char*>(buffer.data()));
}

}  // namespace

void EcmaRegex::CodeDeleter::operator()(pcre2_real_code_8* code) const { pcre2_code_free(code); }

void EcmaRegex::MatchContextDeleter::operator()(pcre2_real_match_context_8* context) const {
  pcre2_match_context_free(context);
}

EcmaRegex::~EcmaRegex() = default;

Result<std::unique_ptr<const EcmaRegex>> EcmaRegex::Compile(std::string_view pattern) {
  return Compile(pattern, Limits());
}

Result<std::unique_ptr<const EcmaRegex>> EcmaRegex::Compile(std::string_view pattern,
                                                            const Limits& limits) {
  if (pattern.size() > limits.max_pattern_bytes) {
    return InvalidArgumentError("pattern is " + std::to_string(pattern.size()) +
                                " bytes, over the limit of " +
                                std::to_string(limits.max_pattern_bytes));
  }
  Translator translator(pattern);
  CAPCONF_RETURN_IF_ERROR(translator.Translate());
  const std::string& translated = translator.output();

  // The translation is ASCII and uses only constructs chosen above, so it needs no UTF check.
  // DOLLAR_ENDONLY, NEVER_UCP, NEVER_BACKSLASH_C: belt and braces, as the translation never
  // writes `$`, (*UCP) or \C; they keep a translator bug from changing what a pattern means.
  constexpr uint32_t kOptions = PCRE2_UTF | PCRE2_NO_UTF_CHECK | PCRE2_DOLLAR_ENDONLY |
                                PCRE2_NEVER_UCP | PCRE2_NEVER_BACKSLASH_C;
  // PCRE2 10.42 derives wrong "first/required code unit" facts from lookarounds (fixed in
  // 10.45, PCRE2Project/pcre2#444): (?=b)a*b fails to match "b". So patterns with any
  // lookaround give up the start-up optimizations. Literals never put "(?" in the translation
  // (a literal `?` is written `\?`), so searching for it finds exactly the lookarounds.
  const bool has_lookaround = translated.find("(?=") != std::string::npos ||
                              translated.find("(?!") != std::string::npos ||
                              translated.find("(?<") != std::string::npos;
  int error = 0;
  PCRE2_SIZE error_offset = 0;
  CodePtr code(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(),
                             kOptions | (has_lookaround ? PCRE2_NO_START_OPTIMIZE : 0), &error,
                             &error_offset, nullptr));
  if (code == nullptr) {
    switch (error) {
      case PCRE2_ERROR_LOOKBEHIND_NOT_FIXED_LENGTH:
        // PCRE2 reports no useful offset for this; find the first lookbehind that fails alone.
        for (const auto& [source_offset, text] : translator.lookbehinds()) {
          if (CompileHelper(text) == nullptr) {
            return InvalidArgumentError(
                "variable-length lookbehind at offset " + std::to_string(source_offset) +
                " is not supported (each alternative of a lookbehind must have a fixed length)");
          }
        }
        return InvalidArgumentError(
            "variable-length lookbehind is not supported (each alternative of a lookbehind must "
            "have a fixed length)");
      case PCRE2_ERROR_UNKNOWN_UNICODE_PROPERTY:
        return InvalidArgumentError("Unicode property at offset " +
                                    std::to_string(translator.SourceOffsetFor(error_offset)) +
                                    " is not supported by this engine (PCRE2 " +
                                    std::to_string(PCRE2_MAJOR) + "." +
                                    std::to_string(PCRE2_MINOR) + " Unicode tables)");
      case PCRE2_ERROR_PATTERN_TOO_LARGE:
      case PCRE2_ERROR_PATTERN_TOO_COMPLICATED:
      case PCRE2_ERROR_LOOKBEHIND_TOO_COMPLICATED:
      case PCRE2_ERROR_PARENTHESES_NEST_TOO_DEEP:
      case PCRE2_ERROR_HEAP_FAILED:
        return InvalidArgumentError("pattern is too large or complex to compile");
      default:
        return InvalidArgumentError("pattern cannot be expressed at offset " +
                                    std::to_string(translator.SourceOffsetFor(error_offset)) +
                                    ": " + Pcre2Message(error));
    }
  }

  std::unique_ptr<EcmaRegex> regex(new EcmaRegex());
  regex->pattern_ = std::string(pattern);
  regex->pcre2_pattern_ = translated;
  // JIT may be unavailable (an architecture without it, or executable memory refused); the
  // interpreter then gives the same answers, more slowly.
  regex->jit_ = pcre2_jit_compile(code.get(), PCRE2_JIT_COMPLETE) == 0;
  regex->code_.reset(code.release());

  regex->match_context_.reset(pcre2_match_context_create(nullptr));
  if (regex->match_context_ == nullptr) return ResourceExhaustedError("out of memory");
  pcre2_set_match_limit(regex->match_context_.get(), limits.match_limit);
  pcre2_set_depth_limit(regex->match_context_.get(), limits.depth_limit);
  pcre2_jit_stack_assign(regex->match_context_.get(), ThreadJitStack, nullptr);
  return std::unique_ptr<const EcmaRegex>(std::move(regex));
}

Status EcmaRegex::CheckLegacySyntax(std::string_view pattern) {
  return LegacySyntaxChecker(pattern).Check();
}

EcmaRegex::Match EcmaRegex::Search(std::string_view subject) const {
  // Validating here lets PCRE2 skip its own check (pcre2_jit_match never checks).
  if (!IsValidUtf8(subject)) return Match::kNo;
  pcre2_match_data* data = ThreadMatchData();
  if (data == nullptr) return Match::kLimitExceeded;
  // An empty string_view may carry a null pointer, which PCRE2 does not accept.
  const auto* text = reinterpret_cast<PCRE2_SPTR>(subject.data() != nullptr ? subject.data() : "");
  const int rc =
      jit_ ? pcre2_jit_match(code_.get(), text, subject.size(), 0, 0, data, match_context_.get())
           : pcre2_match(code_.get(), text, subject.size(), 0, PCRE2_NO_UTF_CHECK, data,
                         match_context_.get());
  if (rc >= 0) return Match::kYes;  // 0 only says the one-pair ovector was too small
  if (rc == PCRE2_ERROR_NOMATCH) return Match::kNo;
  // Match, depth or heap limit, JIT stack exhausted, or out of memory: no answer.
  return Match::kLimitExceeded;
}

}  // namespace capconf::schema::internal
