#include "ascii_dfa.h"

#include <algorithm>
#include <bitset>
#include <map>
#include <optional>
#include <string>

namespace capconf::schema::internal {
namespace {

using ByteSet = std::bitset<256>;

constexpr std::size_t kMaxNfaStates = 4096;
constexpr std::size_t kMaxDfaStates = 1024;

// Thompson NFA: a state either consumes one byte of `bytes` and goes to `next`, or moves
// without consuming to `next` and (for a split) `next2`.
struct NfaState {
  enum class Kind { kByte, kSplit, kMatch } kind = Kind::kSplit;
  ByteSet bytes;
  int next = -1;
  int next2 = -1;
};

// A piece of NFA under construction: its entry and the unset exits to patch.
struct Fragment {
  int start = -1;
  std::vector<int*> exits;  // pointers into NfaState::next/next2 (the vector never reallocates)
};

// Recursive-descent parser for the subset; any construct outside it makes the parse fail.
class Builder {
 public:
  explicit Builder(std::string_view pattern) : p_(pattern) { states_.reserve(kMaxNfaStates); }

  std::optional<Fragment> ParseAll() {
    auto f = ParseAlternation(0);
    if (!f || pos_ != p_.size()) return std::nullopt;
    return f;
  }
  bool top_level_alternation() const { return top_level_alternation_; }
  std::vector<NfaState>& states() { return states_; }

  int NewState(NfaState s) {
    if (states_.size() >= kMaxNfaStates) return -1;
    states_.push_back(s);
    return static_cast<int>(states_.size() - 1);
  }
  static void Patch(const Fragment& f, int target) {
    for (int* exit : f.exits) *exit = target;
  }

 private:
  std::optional<Fragment> ParseAlternation(int depth) {
    auto left = ParseSequence(depth);
    if (!left) return std::nullopt;
    while (pos_ < p_.size() && p_[pos_] == '|') {
      if (depth == 0) top_level_alternation_ = true;
      ++pos_;
      auto right = ParseSequence(depth);
      if (!right) return std::nullopt;
      int split = NewState({NfaState::Kind::kSplit, {}, left->start, right->start});
      if (split < 0) return std::nullopt;
      Fragment f{split, left->exits};
      f.exits.insert(f.exits.end(), right->exits.begin(), right->exits.end());
      left = f;
    }
    return left;
  }

  std::optional<Fragment> Empty() {
    int s = NewState({NfaState::Kind::kSplit, {}, -1, -1});
    if (s < 0) return std::nullopt;
    return Fragment{s, {&states_[s].next}};
  }

  std::optional<Fragment> ParseSequence(int depth) {
    std::optional<Fragment> whole;
    while (pos_ < p_.size() && p_[pos_] != '|' && p_[pos_] != ')') {
      auto piece = ParseRepeat(depth);
      if (!piece) return std::nullopt;
      if (!whole) {
        whole = piece;
      } else {
        Patch(*whole, piece->start);
        whole->exits = piece->exits;
      }
    }
    return whole ? whole : Empty();
  }

  // An atom and its quantifiers. Laziness (`*?`) does not change whether a match exists.
  std::optional<Fragment> ParseRepeat(int depth) {
    std::size_t atom_begin = pos_;
    auto atom = ParseAtom(depth);
    if (!atom) return std::nullopt;
    std::size_t atom_end = pos_;
    if (pos_ >= p_.size()) return atom;
    std::size_t min = 1, max = 1;
    bool unbounded = false;
    char q = p_[pos_];
    if (q == '*') {
      min = 0, unbounded = true, ++pos_;
    } else if (q == '+') {
      min = 1, unbounded = true, ++pos_;
    } else if (q == '?') {
      min = 0, max = 1, ++pos_;
    } else if (q == '{') {
      auto bounds = ParseBraces();
      if (!bounds) return std::nullopt;
      min = bounds->first;
      unbounded = !bounds->second.has_value();
      max = bounds->second.value_or(min);
    } else {
      return atom;
    }
    if (pos_ < p_.size() && p_[pos_] == '?') ++pos_;  // lazy
    if (pos_ < p_.size() && (p_[pos_] == '*' || p_[pos_] == '+' || p_[pos_] == '{'))
      return std::nullopt;
    if (min > 64 || (!unbounded && max > 64)) return std::nullopt;
    // Copies of the atom are made by parsing its text again.
    auto copy = [&]() -> std::optional<Fragment> {
      if (atom) {
        auto first = atom;
        atom.reset();
        return first;
      }
      std::size_t saved = pos_;
      pos_ = atom_begin;
      auto f = ParseAtom(depth);
      if (pos_ != atom_end) return std::nullopt;
      pos_ = saved;
      return f;
    };
    std::optional<Fragment> whole;
    auto append = [&](Fragment f) {
      if (!whole) {
        whole = f;
      } else {
        Patch(*whole, f.start);
        whole->exits = f.exits;
      }
    };
    for (std::size_t i = 0; i < min; ++i) {
      auto f = copy();
      if (!f) return std::nullopt;
      append(*f);
    }
    if (unbounded) {
      auto f = copy();
      if (!f) return std::nullopt;
      int split = NewState({NfaState::Kind::kSplit, {}, f->start, -1});
      if (split < 0) return std::nullopt;
      Patch(*f, split);
      append(Fragment{split, {&states_[split].next2}});
    } else {
      // Each optional copy may be skipped, ending the repetition there.
      std::vector<int*> skips;
      for (std::size_t i = min; i < max; ++i) {
        auto f = copy();
        if (!f) return std::nullopt;
        int split = NewState({NfaState::Kind::kSplit, {}, f->start, -1});
        if (split < 0) return std::nullopt;
        skips.push_back(&states_[split].next2);
        append(Fragment{split, f->exits});
      }
      if (!whole) return Empty();
      whole->exits.insert(whole->exits.end(), skips.begin(), skips.end());
    }
    return whole ? whole : Empty();
  }

  std::optional<std::pair<std::size_t, std::optional<std::size_t>>> ParseBraces() {
    ++pos_;  // '{'
    auto number = [&]() -> std::optional<std::size_t> {
      std::size_t start = pos_, n = 0;
      while (pos_ < p_.size() && p_[pos_] >= '0' && p_[pos_] <= '9' && pos_ - start < 6)
        n = n * 10 + static_cast<std::size_t>(p_[pos_++] - '0');
      if (pos_ == start) return std::nullopt;
      return n;
    };
    auto min = number();
    if (!min || pos_ >= p_.size()) return std::nullopt;
    std::optional<std::size_t> max = min;
    if (p_[pos_] == ',') {
      ++pos_;
      max.reset();
      if (pos_ < p_.size() && p_[pos_] != '}') {
        max = number();
        if (!max || *max < *min) return std::nullopt;
      }
    }
    if (pos_ >= p_.size() || p_[pos_] != '}') return std::nullopt;
    ++pos_;
    return std::make_pair(*min, max);
  }

  std::optional<Fragment> ByteFragment(const ByteSet& bytes) {
    int s = NewState({NfaState::Kind::kByte, bytes, -1, -1});
    if (s < 0) return std::nullopt;
    return Fragment{s, {&states_[s].next}};
  }

  // The bytes of an escape outside or inside a class, for the supported escapes.
  static std::optional<ByteSet> EscapeBytes(char c) {
    ByteSet set;
    switch (c) {
      case 'd':
        for (char x = '0'; x <= '9'; ++x) set.set(static_cast<unsigned char>(x));
        return set;
      case 'w':
        for (char x = '0'; x <= '9'; ++x) set.set(static_cast<unsigned char>(x));
        for (char x = 'a'; x <= 'z'; ++x) set.set(static_cast<unsigned char>(x));
        for (char x = 'A'; x <= 'Z'; ++x) set.set(static_cast<unsigned char>(x));
        set.set('_');
        return set;
      case 't':
        set.set('\t');
        return set;
      case 'n':
        set.set('\n');
        return set;
      case 'r':
        set.set('\r');
        return set;
      case 'f':
        set.set('\f');
        return set;
      case 'v':
        set.set('\v');
        return set;
      default:
        break;
    }
    // Syntax characters and '/' stand for themselves; '-' only counts inside a class, where
    // the caller checks for it.
    static constexpr std::string_view kSyntax = "^$\\.*+?()[]{}|/-";
    if (kSyntax.find(c) != std::string_view::npos) {
      set.set(static_cast<unsigned char>(c));
      return set;
    }
    return std::nullopt;
  }

  std::optional<Fragment> ParseAtom(int depth) {
    if (pos_ >= p_.size()) return std::nullopt;
    unsigned char c = static_cast<unsigned char>(p_[pos_]);
    if (c >= 0x80) return std::nullopt;
    switch (c) {
      case '(': {
        ++pos_;
        if (pos_ < p_.size() && p_[pos_] == '?') {
          if (pos_ + 1 < p_.size() && p_[pos_ + 1] == ':') {
            pos_ += 2;
          } else {
            return std::nullopt;  // lookaround or a named group
          }
        }
        auto inner = ParseAlternation(depth + 1);
        if (!inner || pos_ >= p_.size() || p_[pos_] != ')') return std::nullopt;
        ++pos_;
        return inner;
      }
      case '[':
        return ParseClass();
      case '\\': {
        if (pos_ + 1 >= p_.size()) return std::nullopt;
        char e = p_[pos_ + 1];
        if (e == '-') return std::nullopt;  // an identity escape only inside classes in u-mode
        auto bytes = EscapeBytes(e);
        if (!bytes) return std::nullopt;
        pos_ += 2;
        return ByteFragment(*bytes);
      }
      case '.':
      case '^':
      case '$':
      case ')':
      case '*':
      case '+':
      case '?':
      case '{':
      case '}':
      case ']':
      case '|':
        return std::nullopt;
      default: {
        ++pos_;
        ByteSet set;
        set.set(c);
        return ByteFragment(set);
      }
    }
  }

  std::optional<Fragment> ParseClass() {
    ++pos_;                                                        // '['
    if (pos_ < p_.size() && p_[pos_] == '^') return std::nullopt;  // negated: non-ASCII matches
    ByteSet set;
    // One class item: a single byte (for ranges) or a set from an escape like \d.
    auto item = [&]() -> std::optional<std::pair<ByteSet, int>> {
      if (pos_ >= p_.size()) return std::nullopt;
      unsigned char ch = static_cast<unsigned char>(p_[pos_]);
      if (ch >= 0x80) return std::nullopt;
      if (ch == '\\') {
        if (pos_ + 1 >= p_.size()) return std::nullopt;
        char e = p_[pos_ + 1];
        auto bytes = EscapeBytes(e);
        if (!bytes) return std::nullopt;
        pos_ += 2;
        int single = (e == 'd' || e == 'w') ? -1 : static_cast<int>(bytes->_Find_first());
        return std::make_pair(*bytes, single);
      }
      ++pos_;
      ByteSet b;
      b.set(ch);
      return std::make_pair(b, static_cast<int>(ch));
    };
    while (pos_ < p_.size() && p_[pos_] != ']') {
      auto first = item();
      if (!first) return std::nullopt;
      if (pos_ + 1 < p_.size() && p_[pos_] == '-' && p_[pos_ + 1] != ']') {
        ++pos_;
        auto last = item();
        if (!last || first->second < 0 || last->second < 0 || last->second < first->second)
          return std::nullopt;
        for (int x = first->second; x <= last->second; ++x) set.set(static_cast<std::size_t>(x));
      } else {
        set |= first->first;
      }
    }
    if (pos_ >= p_.size()) return std::nullopt;
    ++pos_;  // ']'
    return ByteFragment(set);
  }

  std::string_view p_;
  std::size_t pos_ = 0;
  bool top_level_alternation_ = false;
  std::vector<NfaState> states_;
};

// Adds `s` and every state reachable from it without consuming to `set`.
void Closure(const std::vector<NfaState>& nfa, int s, std::vector<bool>& seen,
             std::vector<int>& set) {
  std::vector<int> stack{s};
  while (!stack.empty()) {
    int x = stack.back();
    stack.pop_back();
    if (x < 0 || seen[static_cast<std::size_t>(x)]) continue;
    seen[static_cast<std::size_t>(x)] = true;
    set.push_back(x);
    if (nfa[static_cast<std::size_t>(x)].kind == NfaState::Kind::kSplit) {
      stack.push_back(nfa[static_cast<std::size_t>(x)].next);
      stack.push_back(nfa[static_cast<std::size_t>(x)].next2);
    }
  }
}

}  // namespace

std::unique_ptr<const AsciiDfa> AsciiDfa::TryCompile(std::string_view pattern) {
  bool anchored_start = pattern.starts_with('^');
  bool anchored_end = false;
  std::string_view body = pattern.substr(anchored_start ? 1 : 0);
  if (body.ends_with('$')) {
    std::size_t backslashes = 0;
    for (std::size_t i = body.size() - 1; i > 0 && body[i - 1] == '\\'; --i) ++backslashes;
    if (backslashes % 2 == 0) {
      anchored_end = true;
      body.remove_suffix(1);
    }
  }
  Builder builder(body);
  auto fragment = builder.ParseAll();
  if (!fragment) return nullptr;
  // `^a|b$` anchors only its first and last alternatives.
  if (builder.top_level_alternation() && (anchored_start || anchored_end)) return nullptr;
  int match = builder.NewState({NfaState::Kind::kMatch, {}, -1, -1});
  if (match < 0) return nullptr;
  Builder::Patch(*fragment, match);
  int start = fragment->start;
  if (!anchored_start) {
    // Search: any bytes may come before the match.
    int any = builder.NewState({NfaState::Kind::kByte, ByteSet().set(), -1, -1});
    int loop = builder.NewState({NfaState::Kind::kSplit, {}, any, start});
    if (any < 0 || loop < 0) return nullptr;
    builder.states()[static_cast<std::size_t>(any)].next = loop;
    start = loop;
  }
  const std::vector<NfaState>& nfa = builder.states();

  std::unique_ptr<AsciiDfa> dfa(new AsciiDfa());
  std::map<std::vector<int>, std::uint16_t> ids;
  std::vector<std::vector<int>> sets;
  auto intern = [&](std::vector<int> set) -> std::optional<std::uint16_t> {
    std::sort(set.begin(), set.end());
    if (set.empty()) return kDead;
    auto it = ids.find(set);
    if (it != ids.end()) return it->second;
    if (sets.size() >= kMaxDfaStates) return std::nullopt;
    auto id = static_cast<std::uint16_t>(sets.size());
    ids.emplace(set, id);
    sets.push_back(std::move(set));
    return id;
  };
  sets.push_back({});  // the dead state
  std::vector<bool> seen(nfa.size());
  std::vector<int> first;
  Closure(nfa, start, seen, first);
  auto start_id = intern(first);
  if (!start_id) return nullptr;
  dfa->start_ = *start_id;
  for (std::size_t d = 0; d < sets.size(); ++d) {
    dfa->next_.resize((d + 1) * 256, kDead);
    if (d == kDead) continue;
    for (int b = 0; b < 256; ++b) {
      std::fill(seen.begin(), seen.end(), false);
      std::vector<int> target;
      for (int s : sets[d]) {
        const NfaState& st = nfa[static_cast<std::size_t>(s)];
        if (st.kind == NfaState::Kind::kByte && st.bytes.test(static_cast<std::size_t>(b)))
          Closure(nfa, st.next, seen, target);
      }
      auto id = intern(std::move(target));
      if (!id) return nullptr;
      dfa->next_[d * 256 + static_cast<std::size_t>(b)] = *id;
    }
  }
  dfa->accepting_.resize(sets.size());
  for (std::size_t d = 0; d < sets.size(); ++d)
    for (int s : sets[d])
      if (nfa[static_cast<std::size_t>(s)].kind == NfaState::Kind::kMatch)
        dfa->accepting_[d] = true;
  dfa->match_ends_at_accept_ = !anchored_end;
  return dfa;
}

bool AsciiDfa::Search(std::string_view subject) const {
  std::uint16_t s = start_;
  if (match_ends_at_accept_ && accepting_[s]) return true;
  const std::uint16_t* next = next_.data();
  for (unsigned char c : subject) {
    s = next[static_cast<std::size_t>(s) * 256 + c];
    if (s == kDead) return false;
    if (match_ends_at_accept_ && accepting_[s]) return true;
  }
  return accepting_[s];
}

}  // namespace capconf::schema::internal
