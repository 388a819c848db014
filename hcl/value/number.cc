// Number: MPFR-backed binary floats that behave like Go's big.Float as cty uses it.
//
// Each number carries its own precision, as a big.Float does: literals parsed from text get 512
// bits, integers made by functions get 64 and doubles 53, and an operation's result gets the
// larger precision of its operands (Multiply and Modulo follow cty's own rules). Keeping this
// exact matters because the printed digits of e.g. `length(x) / 3` depend on it.
// Immutable values; thread-compatible.
#include <gmp.h>
#include <mpfr.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "hcl/value/value.h"

namespace meshgw::hcl {

struct Number::Rep {
  mpfr_t f;
  explicit Rep(mpfr_prec_t prec) { mpfr_init2(f, prec); }
  ~Rep() { mpfr_clear(f); }
  Rep(const Rep&) = delete;
  Rep& operator=(const Rep&) = delete;
};

namespace {

constexpr mpfr_prec_t kParsePrec = 512;

mpfr_prec_t MaxPrec(const mpfr_t a, const mpfr_t b) {
  return std::max(mpfr_get_prec(a), mpfr_get_prec(b));
}

// A decimal in Go's `decimal` form: value = 0.mant × 10^exp, no leading or trailing zeros
// in `mant` (empty for zero).
struct Decimal {
  std::string mant;
  int exp = 0;

  char at(int i) const { return i >= 0 && i < static_cast<int>(mant.size()) ? mant[i] : '0'; }
  void Trim() {
    while (!mant.empty() && mant.back() == '0') mant.pop_back();
    if (mant.empty()) exp = 0;
  }
  bool ShouldRoundUp(int n) const {
    if (mant[n] == '5' && n + 1 == static_cast<int>(mant.size())) {
      return n > 0 && ((mant[n - 1] - '0') & 1) != 0;
    }
    return mant[n] >= '5';
  }
  void RoundUp(int n) {
    if (n < 0 || n >= static_cast<int>(mant.size())) return;
    int i = n - 1;
    while (i >= 0 && mant[i] >= '9') --i;
    if (i < 0) {
      mant = "1";
      exp++;
      return;
    }
    mant[i]++;
    mant.resize(i + 1);
  }
  void RoundDown(int n) {
    if (n < 0 || n >= static_cast<int>(mant.size())) return;
    mant.resize(n);
    Trim();
  }
  void Round(int n) {
    if (n < 0 || n >= static_cast<int>(mant.size())) return;
    if (ShouldRoundUp(n)) {
      RoundUp(n);
    } else {
      RoundDown(n);
    }
  }
};

// The exact decimal of m × 2^e (m >= 0).
Decimal ExactDecimal(const mpz_t m, long e) {
  Decimal d;
  if (mpz_sgn(m) == 0) return d;
  mpz_t t;
  mpz_init_set(t, m);
  long point_shift = 0;  // value = t × 10^-point_shift
  if (e >= 0) {
    mpz_mul_2exp(t, t, e);
  } else {
    // m × 2^e = m × 5^-e / 10^-e
    mpz_t p;
    mpz_init(p);
    mpz_ui_pow_ui(p, 5, static_cast<unsigned long>(-e));
    mpz_mul(t, t, p);
    mpz_clear(p);
    point_shift = -e;
  }
  char* s = mpz_get_str(nullptr, 10, t);
  d.mant = s;
  void (*freefunc)(void*, size_t);
  mp_get_memory_functions(nullptr, nullptr, &freefunc);
  freefunc(s, std::strlen(s) + 1);
  mpz_clear(t);
  d.exp = static_cast<int>(static_cast<long>(d.mant.size()) - point_shift);
  d.Trim();
  return d;
}

// Go's roundShortest: the shortest decimal that still rounds back to x at x's precision.
void RoundShortest(Decimal* d, const mpfr_t x) {
  if (d->mant.empty()) return;
  mpz_t mant;
  mpz_init(mant);
  long exp = mpfr_get_z_2exp(mant, x);  // |mant| has exactly prec bits
  mpz_abs(mant, mant);
  mpz_mul_2exp(mant, mant, 1);  // prec+1 bits, as Go shifts it
  exp -= 1;
  mpz_t tmp;
  mpz_init(tmp);
  mpz_sub_ui(tmp, mant, 1);
  Decimal lower = ExactDecimal(tmp, exp);
  mpz_add_ui(tmp, mant, 1);
  Decimal upper = ExactDecimal(tmp, exp);
  bool inclusive = mpz_tstbit(mant, 1) == 0;
  mpz_clear(tmp);
  mpz_clear(mant);

  for (int i = 0; i < static_cast<int>(d->mant.size()); ++i) {
    char l = lower.at(i);
    char u = upper.at(i);
    char m = d->mant[i];
    bool okdown = l != m || (inclusive && i + 1 == static_cast<int>(lower.mant.size()));
    bool okup = m != u && (inclusive || m + 1 < u || i + 1 < static_cast<int>(upper.mant.size()));
    if (okdown && okup) {
      d->Round(i + 1);
      return;
    }
    if (okdown) {
      d->RoundDown(i + 1);
      return;
    }
    if (okup) {
      d->RoundUp(i + 1);
      return;
    }
  }
}

// Validates Go big.ParseFloat's base-10 syntax: [+-] digits [. digits] [(e|E) [+-] digits].
bool ValidNumberSyntax(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t ed = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++ed;
    if (ed == 0) return false;
  }
  return i == s.size();
}

}  // namespace

Number::Number() : rep_(std::make_unique<Rep>(64)) { mpfr_set_zero(rep_->f, 1); }

Number::Number(const Number& other) : rep_(std::make_unique<Rep>(mpfr_get_prec(other.rep_->f))) {
  mpfr_set(rep_->f, other.rep_->f, MPFR_RNDN);
}

Number& Number::operator=(const Number& other) {
  if (this != &other) {
    auto r = std::make_unique<Rep>(mpfr_get_prec(other.rep_->f));
    mpfr_set(r->f, other.rep_->f, MPFR_RNDN);
    rep_ = std::move(r);
  }
  return *this;
}

// A moved-from Number may only be destroyed or assigned to.
Number::Number(Number&& other) noexcept : rep_(std::move(other.rep_)) {}
Number& Number::operator=(Number&& other) noexcept {
  rep_.swap(other.rep_);
  return *this;
}
Number::~Number() = default;

absl::StatusOr<Number> Number::Parse(std::string_view text) {
  // big.ParseFloat also reads "Inf" and "inf", optionally signed.
  std::string_view unsigned_text = text;
  if (!unsigned_text.empty() && (unsigned_text[0] == '+' || unsigned_text[0] == '-')) {
    unsigned_text.remove_prefix(1);
  }
  if (unsigned_text == "Inf" || unsigned_text == "inf") {
    Number n;
    n.rep_ = std::make_unique<Rep>(kParsePrec);
    mpfr_set_inf(n.rep_->f, text[0] == '-' ? -1 : 1);
    return n;
  }
  if (!ValidNumberSyntax(text)) return absl::InvalidArgumentError("a number is required");
  std::string s(text);
  Number n;
  n.rep_ = std::make_unique<Rep>(kParsePrec);
  mpfr_strtofr(n.rep_->f, s.c_str(), nullptr, 10, MPFR_RNDN);
  return n;
}

Number Number::FromInt64(int64_t v) {
  Number n;
  mpfr_set_si(n.rep_->f, static_cast<long>(v), MPFR_RNDN);
  return n;
}

Number Number::FromDouble(double v) {
  Number n;
  n.rep_ = std::make_unique<Rep>(53);
  mpfr_set_d(n.rep_->f, v, MPFR_RNDN);
  return n;
}

namespace {

std::string FmtE(char fmt, int prec, const Decimal& d) {
  std::string buf;
  buf.push_back(d.mant.empty() ? '0' : d.mant[0]);
  if (prec > 0) {
    buf.push_back('.');
    int i = 1;
    int m = std::min(static_cast<int>(d.mant.size()), prec + 1);
    if (i < m) {
      buf.append(d.mant, i, m - i);
      i = m;
    }
    for (; i <= prec; ++i) buf.push_back('0');
  }
  buf.push_back(fmt);
  long exp = d.mant.empty() ? 0 : d.exp - 1;
  buf.push_back(exp < 0 ? '-' : '+');
  if (exp < 0) exp = -exp;
  if (exp < 10) buf.push_back('0');
  buf += std::to_string(exp);
  return buf;
}

std::string FmtF(int prec, const Decimal& d) {
  std::string buf;
  if (d.exp > 0) {
    int m = std::min(static_cast<int>(d.mant.size()), d.exp);
    buf.append(d.mant, 0, m);
    for (; m < d.exp; ++m) buf.push_back('0');
  } else {
    buf.push_back('0');
  }
  if (prec > 0) {
    buf.push_back('.');
    for (int i = 0; i < prec; ++i) buf.push_back(d.at(d.exp + i));
  }
  return buf;
}

}  // namespace

std::string Number::Text(char fmt, int prec) const {
  const mpfr_t& x = rep_->f;
  std::string out;
  if (mpfr_signbit(x)) out.push_back('-');
  if (mpfr_inf_p(x)) return out.empty() ? "+Inf" : "-Inf";
  if (mpfr_nan_p(x)) return "NaN";
  // Fast path for the common case, integers such as ports and counts: when the integer needs no
  // more bits than the precision, its exact digits are also the shortest.
  if (fmt == 'f' && prec <= 0 && mpfr_integer_p(x) && mpfr_fits_slong_p(x, MPFR_RNDZ)) {
    long v = mpfr_get_si(x, MPFR_RNDZ);
    unsigned long mag = v < 0 ? 0UL - static_cast<unsigned long>(v) : static_cast<unsigned long>(v);
    int bits = 0;
    while (mag >> bits) ++bits;
    if (bits <= mpfr_get_prec(x)) return out + std::to_string(mag);
  }
  Decimal d;
  if (!mpfr_zero_p(x)) {
    mpz_t m;
    mpz_init(m);
    long e = mpfr_get_z_2exp(m, x);
    mpz_abs(m, m);
    d = ExactDecimal(m, e);
    mpz_clear(m);
  }
  bool shortest = false;
  if (prec < 0) {
    shortest = true;
    RoundShortest(&d, x);
    switch (fmt) {
      case 'e':
      case 'E':
        prec = static_cast<int>(d.mant.size()) - 1;
        break;
      case 'f':
        prec = std::max(static_cast<int>(d.mant.size()) - d.exp, 0);
        break;
      default:
        prec = static_cast<int>(d.mant.size());
        break;
    }
  } else {
    switch (fmt) {
      case 'e':
      case 'E':
        d.Round(1 + prec);
        break;
      case 'f':
        d.Round(d.exp + prec);
        break;
      default:
        if (prec == 0) prec = 1;
        d.Round(prec);
        break;
    }
  }
  switch (fmt) {
    case 'e':
    case 'E':
      return out + FmtE(fmt, prec, d);
    case 'f':
      return out + FmtF(prec, d);
    default: {
      int eprec = prec;
      int n = static_cast<int>(d.mant.size());
      if (eprec > n && n >= d.exp) eprec = n;
      if (shortest) eprec = 6;
      int exp = d.exp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > n) prec = n;
        return out + FmtE(fmt == 'G' ? 'E' : 'e', prec - 1, d);
      }
      if (prec > d.exp) prec = n;
      return out + FmtF(std::max(prec - d.exp, 0), d);
    }
  }
}

std::string Number::ToString() const { return Text('f', -1); }

bool Number::IsInteger() const { return mpfr_integer_p(rep_->f) != 0; }
bool Number::IsInfinite() const { return mpfr_inf_p(rep_->f) != 0; }

std::optional<int64_t> Number::ToInt64() const {
  if (!IsInteger()) return std::nullopt;
  if (!mpfr_fits_slong_p(rep_->f, MPFR_RNDZ)) return std::nullopt;
  return static_cast<int64_t>(mpfr_get_si(rep_->f, MPFR_RNDZ));
}

double Number::ToDouble() const { return mpfr_get_d(rep_->f, MPFR_RNDN); }

int Number::Compare(const Number& other) const {
  int c = mpfr_cmp(rep_->f, other.rep_->f);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

int Number::Sign() const { return mpfr_sgn(rep_->f); }

bool Number::SameDecimal(const Number& other) const {
  if (Sign() != other.Sign()) return false;
  if (Sign() == 0) return true;  // +0 and -0
  return ToString() == other.ToString();
}

Number Number::Add(const Number& other) const {
  Number n;
  n.rep_ = std::make_unique<Rep>(MaxPrec(rep_->f, other.rep_->f));
  mpfr_add(n.rep_->f, rep_->f, other.rep_->f, MPFR_RNDN);
  return n;
}

Number Number::Subtract(const Number& other) const { return Add(other.Negate()); }

Number Number::Multiply(const Number& other) const {
  mpfr_prec_t res_prec = MaxPrec(rep_->f, other.rep_->f);
  mpfr_t product;
  mpfr_init2(product, kParsePrec);
  mpfr_mul(product, rep_->f, other.rep_->f, MPFR_RNDN);
  // cty: keep the larger argument precision, or more if the product needs it (MinPrec).
  mpfr_prec_t min_prec = 0;
  if (mpfr_regular_p(product)) {
    mpz_t m;
    mpz_init(m);
    mpfr_get_z_2exp(m, product);
    mpz_abs(m, m);
    min_prec = static_cast<mpfr_prec_t>(mpz_sizeinbase(m, 2) - mpz_scan1(m, 0));
    mpz_clear(m);
  }
  if (min_prec > res_prec) res_prec = min_prec;
  Number n;
  n.rep_ = std::make_unique<Rep>(res_prec);
  mpfr_set(n.rep_->f, product, MPFR_RNDN);
  mpfr_clear(product);
  return n;
}

Number Number::Divide(const Number& other) const {
  Number n;
  n.rep_ = std::make_unique<Rep>(MaxPrec(rep_->f, other.rep_->f));
  mpfr_div(n.rep_->f, rep_->f, other.rep_->f, MPFR_RNDN);
  return n;
}

Number Number::Modulo(const Number& other) const {
  if (IsInfinite() || other.IsInfinite()) return Multiply(other);
  if (mpfr_zero_p(other.rep_->f)) return *this;
  // cty: q = trunc(val / other) as an integer; val - other × q, each step rounded to val's
  // precision.
  Number rat = Divide(other);
  mpz_t q;
  mpz_init(q);
  mpfr_get_z(q, rat.rep_->f, MPFR_RNDZ);
  mpfr_prec_t prec = mpfr_get_prec(rep_->f);
  mpfr_t work;
  mpfr_init2(work, prec);
  mpfr_set_z(work, q, MPFR_RNDN);
  mpfr_mul(work, other.rep_->f, work, MPFR_RNDN);
  Number n;
  n.rep_ = std::make_unique<Rep>(prec);
  mpfr_sub(n.rep_->f, rep_->f, work, MPFR_RNDN);
  mpfr_clear(work);
  mpz_clear(q);
  return n;
}

Number Number::Negate() const {
  Number n;
  n.rep_ = std::make_unique<Rep>(mpfr_get_prec(rep_->f));
  mpfr_neg(n.rep_->f, rep_->f, MPFR_RNDN);
  return n;
}

Number Number::Abs() const {
  Number n;
  n.rep_ = std::make_unique<Rep>(mpfr_get_prec(rep_->f));
  mpfr_abs(n.rep_->f, rep_->f, MPFR_RNDN);
  return n;
}

Number Number::Floor() const {
  Number n;
  n.rep_ = std::make_unique<Rep>(mpfr_get_prec(rep_->f));
  mpfr_floor(n.rep_->f, rep_->f);
  return n;
}

Number Number::Ceil() const {
  Number n;
  n.rep_ = std::make_unique<Rep>(mpfr_get_prec(rep_->f));
  mpfr_ceil(n.rep_->f, rep_->f);
  return n;
}

bool Number::IsNaN() const { return mpfr_nan_p(rep_->f) != 0; }

}  // namespace meshgw::hcl
