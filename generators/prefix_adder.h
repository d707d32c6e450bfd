// Carry-propagate adders as parallel-prefix networks: one generator, the network a parameter (issue 14, --adder).
// Not yet chosen by any operator: the operators still write `+` and leave the adder to Yosys/ABC.
#pragma once

#include <string>

#include "generators/blocks.h"

namespace nf::blocks {

enum class AdderKind { Ripple, KoggeStone, BrentKung, Sklansky, HanCarlson };

// "ripple", "kogge-stone", "brent-kung", "sklansky", "han-carlson"; false if `name` is none of them.
bool parseAdderKind(const std::string& name, AdderKind& kind);
const char* adderKindName(AdderKind kind);

// {cout, s} = a + b + cin for `width`-bit a, b (ports a, b, cin -> s, cout): generate/propagate per bit, the
// carries by `kind`'s prefix network of (G, P) o (G', P') = (G | P G', P P') nodes, then s = p ^ carry.
std::string emitPrefixAdder(Design& d, int width, AdderKind kind);

}  // namespace nf::blocks
