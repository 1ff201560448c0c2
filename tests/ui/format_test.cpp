// GUI text formatting: byte sizes in binary units, addresses as Go prints them, counts, axis steps.
// Expected strings are written out by hand from the definitions in format.h.
#include "app/gui/format.h"

#include <gtest/gtest.h>

namespace {

TEST(FormatBytes, BinaryUnits) {
  EXPECT_EQ(gui::FormatBytes(0), "0 B");
  EXPECT_EQ(gui::FormatBytes(48), "48 B");
  EXPECT_EQ(gui::FormatBytes(1023), "1023 B");
  EXPECT_EQ(gui::FormatBytes(1024), "1 KiB");
  EXPECT_EQ(gui::FormatBytes(1536), "1.5 KiB");
  EXPECT_EQ(gui::FormatBytes(8192), "8 KiB");
  EXPECT_EQ(gui::FormatBytes(4194304), "4 MiB");
  EXPECT_EQ(gui::FormatBytes(64ull << 30), "64 GiB");
  EXPECT_EQ(gui::FormatBytes(1048575), "1 MiB") << "1023.999 KiB rounds up into the next unit";
  EXPECT_EQ(gui::FormatBytes(1258291), "1.2 MiB") << "1.19999 MiB";
}

// Issue 15: MemStats figures a few percent apart must not read alike, and a sum must add up on screen.
TEST(FormatBytes, TwoDecimalsFromMiBUp) {
  // HeapSys 1.03 GiB, HeapInuse 1.02 GiB, HeapAlloc 1.00 GiB (the CLI's figures for that heap).
  EXPECT_EQ(gui::FormatBytes(1106000000), "1.03 GiB"); // 1106000000 / 2^30 = 1.0300
  EXPECT_EQ(gui::FormatBytes(1095216660), "1.02 GiB"); // 1.0200
  EXPECT_EQ(gui::FormatBytes(1ull << 30), "1 GiB");
  // HeapSys 4 MiB = HeapInuse 8 KiB + HeapIdle 4 MiB - 8 KiB: 4186112 / 2^20 = 3.9921875.
  EXPECT_EQ(gui::FormatBytes(4194304), "4 MiB");
  EXPECT_EQ(gui::FormatBytes(8192), "8 KiB");
  EXPECT_EQ(gui::FormatBytes(4194304 - 8192), "3.99 MiB");
  EXPECT_EQ(gui::FormatBytes(3u << 19), "1.5 MiB") << "trailing zero dropped";
}

TEST(FormatBytes, ExactFigures) {
  EXPECT_EQ(gui::FormatBytesExact(1572864), "1,572,864 B");
  EXPECT_EQ(gui::FormatBytesExact(0), "0 B");
}

TEST(FormatAddr, LowercaseHexLikeGo) {
  EXPECT_EQ(gui::FormatAddr(0xc000012000), "0xc000012000");
  EXPECT_EQ(gui::FormatAddr(0), "0x0");
}

TEST(FormatCount, ThousandsSeparators) {
  EXPECT_EQ(gui::FormatCount(0), "0");
  EXPECT_EQ(gui::FormatCount(999), "999");
  EXPECT_EQ(gui::FormatCount(1000), "1,000");
  EXPECT_EQ(gui::FormatCount(200000), "200,000");
  EXPECT_EQ(gui::FormatCount(18446744073709551615ull), "18,446,744,073,709,551,615");
}

TEST(FormatPercent, OneDecimalAndNothingToDivideBy) {
  EXPECT_EQ(gui::FormatPercent(3, 8), "37.5%");
  EXPECT_EQ(gui::FormatPercent(0, 0), "-");
}

TEST(AxisSteps, RoundTicks) {
  EXPECT_EQ(gui::ByteAxisStep(10u << 20, 5), 2u << 20) << "0, 2, 4, 6, 8, 10 MiB";
  EXPECT_EQ(gui::ByteAxisStep(0, 5), 1u);
  EXPECT_EQ(gui::ByteAxisStep(5, 5), 1u);
  EXPECT_EQ(gui::ByteAxisStep(6, 5), 2u);
  EXPECT_EQ(gui::CountAxisStep(1000, 5), 200u);
  EXPECT_EQ(gui::CountAxisStep(1000, 10), 100u);
  EXPECT_EQ(gui::CountAxisStep(7, 10), 1u);
  EXPECT_EQ(gui::CountAxisStep(2500000, 4), 1000000u);
}

} // namespace
