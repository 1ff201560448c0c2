// A small file browser drawn with ImGui (Dear ImGui has none): a directory listing with folders
// first, a path box, and Open/Cancel. Any file may be picked; the trace's format is sniffed from its
// content when it is opened, never from its name.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gui {

class FileDialog {
 public:
  // Opens the dialog on `directory` (the current directory if it is empty or does not exist).
  void open(const std::string& directory);
  bool isOpen() const { return open_; }
  // Draws the dialog while it is open. Returns true once, when the user picked a file (*picked).
  bool draw(std::string* picked);
  const std::string& directory() const { return dir_; }

 private:
  struct Entry {
    std::string name;
    bool isDir = false;
    uint64_t size = 0;
  };
  void list(const std::string& directory);

  bool open_ = false, justOpened_ = false;
  std::string dir_;
  std::vector<Entry> entries_;
  std::string listError_;
  char pathBox_[1024] = "";
  int selected_ = -1;
  bool showHidden_ = false;
};

} // namespace gui
