// Internal to the builder: the per-format entry points behind build_image().
#pragma once

#include "support/image_builder.h"

namespace vhdchain::test {

BuiltImage build_vhdx(const ImageSpec& spec);  // vhdx_builder.cc
BuiltImage build_vhd(const ImageSpec& spec);   // vhd_builder.cc

}  // namespace vhdchain::test
