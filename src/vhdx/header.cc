// VHDX headers (MS-VHDX 2.2.2, 2.2.2.1).
//
// Selection follows the spec's definition of validity (signature + checksum) and then takes the
// greater sequence number. Two valid headers with equal sequence numbers are outside the spec, but
// Disk2vhd writes exactly that (formats.md pitfall 6); they are accepted only when the defined
// fields agree, so that it does not matter which one is used (header 1 is).
//
// Version is checked after selection rather than as part of validity: a current header with a
// newer version means the rest of the file may follow that version, so falling back to an older
// header would read the file wrongly; refusing (ErrorCode::unsupported) is the safe answer.
#include "vhdx/header.h"

#include <optional>

#include <fmt/format.h>

#include "base/checked_math.h"
#include "base/crc32c.h"
#include "vhdx/layout.h"

namespace vhdchain::vhdx {

bool Header::same_defined_fields(const Header& o) const {
  return sequence_number == o.sequence_number && file_write_guid == o.file_write_guid &&
         data_write_guid == o.data_write_guid && log_guid == o.log_guid && log_version == o.log_version &&
         version == o.version && log_length == o.log_length && log_offset == o.log_offset;
}

Header decode_header(const ByteView& v) {
  namespace f = header_field;
  if (!v.matches(f::signature, kHeaderSignature)) v.fail("signature is not 'head'");
  Header h;
  h.checksum = v.le32(f::checksum);
  const uint32_t computed = crc32c_with_zeroed_field(v.bytes(0, kHeaderSize), f::checksum);
  if (computed != h.checksum)
    v.fail(fmt::format("checksum {:#x} does not match computed {:#x}", h.checksum, computed));
  h.sequence_number = v.le64(f::sequence_number);
  h.file_write_guid = v.guid(f::file_write_guid);
  h.data_write_guid = v.guid(f::data_write_guid);
  h.log_guid = v.guid(f::log_guid);
  h.log_version = v.le16(f::log_version);
  h.version = v.le16(f::version);
  h.log_length = v.le32(f::log_length);
  h.log_offset = v.le64(f::log_offset);
  return h;
}

CurrentHeader select_current_header(const ByteView& view1, const ByteView& view2) {
  std::optional<Header> h[2];
  std::string why[2];
  const ByteView* views[2] = {&view1, &view2};
  for (int i = 0; i < 2; ++i) {
    try {
      h[i] = decode_header(*views[i]);
    } catch (const FormatError& e) {
      why[i] = e.detail();
    }
  }
  if (!h[0] && !h[1])
    view1.fail(fmt::format("neither header is valid (header 1: {}; header 2: {})", why[0], why[1]));

  CurrentHeader current;
  if (h[0] && h[1]) {
    if (h[0]->sequence_number == h[1]->sequence_number) {
      if (!h[0]->same_defined_fields(*h[1]))
        view2.fail(fmt::format("sequence number {} equals header 1's but the headers differ in their defined "
                               "fields: cannot tell which is current",
                               h[1]->sequence_number));
      current.header = *h[0];
      current.index = 1;
      current.notes.push_back(
          {"vhdx.equal_header_sequence",
           fmt::format("header 1 @{:#x} and header 2 @{:#x} have the same sequence number {} and identical "
                       "fields (as Disk2vhd writes them); using header 1",
                       view1.file_offset(), view2.file_offset(), h[0]->sequence_number)});
      return current;
    }
    const int pick = h[0]->sequence_number > h[1]->sequence_number ? 0 : 1;
    current.header = *h[pick];
    current.index = pick + 1;
    return current;
  }
  const int good = h[0] ? 0 : 1;
  const int bad = 1 - good;
  current.header = *h[good];
  current.index = good + 1;
  current.notes.push_back({"vhdx.header_invalid",
                           fmt::format("header {} @{:#x} is not valid ({}); using header {}", bad + 1,
                                       views[bad]->file_offset(), why[bad], good + 1)});
  return current;
}

void check_current_header(const ByteView& v, const Header& h, uint64_t file_size, std::vector<Note>& notes) {
  if (h.version != kHeaderVersion)
    v.fail(fmt::format("version {} is not supported (must be 1)", h.version), ErrorCode::unsupported);
  if (!v.all_zero(header_field::reserved, kHeaderSize - header_field::reserved))
    v.fail("reserved bytes 80-4095 are not zero");
  if (h.log_version != kLogVersion) {
    // MS-VHDX 2.2.2: an unknown log format may be ignored only when there is nothing to replay.
    if (!h.log_guid.is_zero())
      v.fail(fmt::format("log version {} is not supported (must be 0) and the log guid is set: the log cannot "
                         "be replayed",
                         h.log_version),
             ErrorCode::unsupported);
    notes.push_back({"vhdx.log_version_nonzero",
                     fmt::format("{} @{:#x}: log version {} is not 0; ignored because the log is empty",
                                 v.structure(), v.file_offset(), h.log_version)});
  }
  if (h.log_length == 0) {
    if (!h.log_guid.is_zero()) v.fail("log guid is set but log length is 0");
    return;
  }
  if (!is_aligned(h.log_length, kMiB)) v.fail(fmt::format("log length {:#x} is not 1 MiB aligned", h.log_length));
  if (!is_aligned(h.log_offset, kMiB)) v.fail(fmt::format("log offset {:#x} is not 1 MiB aligned", h.log_offset));
  if (h.log_offset < kHeaderSectionSize)
    v.fail(fmt::format("log offset {:#x} lies inside the 1 MiB header section", h.log_offset));
  auto end = checked_add(h.log_offset, h.log_length);
  if (!end || *end > file_size)
    v.fail(fmt::format("log offset {:#x} + log length {:#x} extends past the end of the file ({:#x} bytes)",
                       h.log_offset, h.log_length, file_size));
}

}  // namespace vhdchain::vhdx
