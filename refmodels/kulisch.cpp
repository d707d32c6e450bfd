#include "refmodels/kulisch.h"

namespace nf {

KulischModel::Output KulischModel::step(uint32_t a, uint32_t b, bool clear, Rounding mode) {
  if (clear) {
    sum_.clear();
    specials_ = {};
    overflow_ = false;
  }
  const FpOperand x = decodeOperand(spec_.a, a);
  const bool ok = spec_.b ? addProductTerm(sum_, specials_, x, decodeOperand(*spec_.b, b))
                          : addValueTerm(sum_, specials_, x);
  overflow_ = overflow_ || !ok;
  return read(mode);
}

KulischModel::Output KulischModel::read(Rounding mode) const {
  RoundOptions opt = spec_.round;
  opt.mode = mode;
  return {finishSum(sum_, specials_, spec_.out, opt), overflow_};
}

}  // namespace nf
