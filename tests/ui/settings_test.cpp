// App settings: round trip, lenient reading, config directory, recent files. app/gui/settings.h.
#include "app/gui/settings.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace {

std::string tempDir(const char* name) {
  auto d = std::filesystem::temp_directory_path() / (std::string("spanscope-ui-") + name + "-" + std::to_string(getpid()));
  std::filesystem::remove_all(d);
  return d.string();
}

TEST(SettingsTest, RoundTripKeepsEveryField) {
  std::string dir = tempDir("roundtrip");
  gui::Settings s;
  s.recentFiles = {"/a/b.json", "/c/d.bin"};
  s.panelOpen[gui::panelIndex("mcentral")] = false;
  s.speed = 0;
  s.lastDirectory = "/tmp";
  s.windowWidth = 1234, s.windowHeight = 777;
  std::string err;
  ASSERT_TRUE(gui::saveSettings(s, dir + "/sub/settings.json", &err)) << err;
  gui::Settings r = gui::loadSettings(dir + "/sub/settings.json", &err);
  EXPECT_EQ(r.recentFiles, s.recentFiles);
  EXPECT_EQ(r.panelOpen, s.panelOpen);
  EXPECT_EQ(r.speed, 0);
  EXPECT_EQ(r.lastDirectory, "/tmp");
  EXPECT_EQ(r.windowWidth, 1234);
  EXPECT_EQ(r.windowHeight, 777);
  std::filesystem::remove_all(dir);
}

TEST(SettingsTest, RecentFileWithInvalidUtf8IsSavedNotAborted) {
  // A trace opened from a path that is not UTF-8 once aborted the app at its next settings save
  // (nlohmann's dump throws on such strings); the bytes are now replaced with U+FFFD.
  std::string dir = tempDir("utf8");
  gui::Settings s;
  s.recentFiles = {"/t/ok.json", "/t/caf\xE9.trace"};
  std::string err;
  ASSERT_TRUE(gui::saveSettings(s, dir + "/settings.json", &err)) << err;
  gui::Settings r = gui::loadSettings(dir + "/settings.json", &err);
  EXPECT_TRUE(err.empty()) << err;
  ASSERT_EQ(r.recentFiles.size(), 2u);
  EXPECT_EQ(r.recentFiles[0], "/t/ok.json");
  EXPECT_EQ(r.recentFiles[1], "/t/caf\xEF\xBF\xBD.trace");
  std::filesystem::remove_all(dir);
}

TEST(SettingsTest, MissingFileGivesDefaultsWithoutError) {
  std::string err;
  gui::Settings r = gui::loadSettings("/nonexistent/spanscope/settings.json", &err);
  EXPECT_TRUE(err.empty()) << err;
  EXPECT_TRUE(r.recentFiles.empty());
}

TEST(SettingsTest, BrokenFileNamesThePathAndKeepsDefaults) {
  std::string dir = tempDir("broken");
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/settings.json") << "{\"speed\": 5,";
  std::string err;
  gui::Settings r = gui::loadSettings(dir + "/settings.json", &err);
  EXPECT_EQ(err.rfind(dir + "/settings.json: ", 0), 0u) << err;
  EXPECT_EQ(r.speed, gui::Settings{}.speed);
  std::filesystem::remove_all(dir);
}

TEST(SettingsTest, WrongTypesKeepTheirDefaultsAndTheRestLoads) {
  std::string dir = tempDir("types");
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/settings.json") << R"({"speed": "fast", "recent_files": ["/x.json", 7], "window": [10, 20]})";
  std::string err;
  gui::Settings r = gui::loadSettings(dir + "/settings.json", &err);
  EXPECT_TRUE(err.empty()) << err;
  EXPECT_EQ(r.speed, gui::Settings{}.speed);
  EXPECT_EQ(r.recentFiles, std::vector<std::string>{"/x.json"});
  EXPECT_EQ(r.windowWidth, 320); // clamped to the smallest usable window
  EXPECT_EQ(r.windowHeight, 240);
  std::filesystem::remove_all(dir);
}

TEST(SettingsTest, ConfigDirectoryFollowsXdgThenHome) {
  std::string oldXdg = std::getenv("XDG_CONFIG_HOME") ? std::getenv("XDG_CONFIG_HOME") : "";
  setenv("XDG_CONFIG_HOME", "/xdg", 1);
  EXPECT_EQ(gui::configDirectory(), "/xdg/spanscope");
  unsetenv("XDG_CONFIG_HOME");
  setenv("HOME", std::getenv("HOME") ? std::getenv("HOME") : "/home/u", 1);
  EXPECT_EQ(gui::configDirectory(), std::string(std::getenv("HOME")) + "/.config/spanscope");
  if (!oldXdg.empty()) setenv("XDG_CONFIG_HOME", oldXdg.c_str(), 1);
}

TEST(SettingsTest, RecentFilesAreMostRecentFirstWithoutDuplicatesAndBounded) {
  gui::Settings s;
  for (int i = 0; i < 12; ++i) gui::addRecentFile(s, "/f" + std::to_string(i));
  gui::addRecentFile(s, "/f5");
  ASSERT_EQ(s.recentFiles.size(), gui::kMaxRecentFiles);
  EXPECT_EQ(s.recentFiles[0], "/f5");
  EXPECT_EQ(s.recentFiles[1], "/f11");
  EXPECT_EQ(std::count(s.recentFiles.begin(), s.recentFiles.end(), "/f5"), 1);
  // 12 added, newest first: /f11 ... /f2 kept, then /f5 moved to the front: /f1 and /f0 are gone.
  EXPECT_EQ(std::find(s.recentFiles.begin(), s.recentFiles.end(), "/f1"), s.recentFiles.end());
}

} // namespace
