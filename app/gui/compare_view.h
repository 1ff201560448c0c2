// The Compare view: which tables (or Go releases) are chosen, the "Compare tables…" dialog, the size-class designer
// and exports, over a model::CompareSession (app/model/compare_session.h). The panel that draws it
// is panels/compare.cpp; the report it exports is app/report/compare_report.h.
#pragma once

#include "app/gui/class_designer.h"
#include "app/model/compare_session.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace gui {

enum class ExportKind { Markdown, Csv, Png };

class CompareView {
 public:
  // Tables by library name or JSON path, replacing the current choice; built on the next follow().
  // Unknown names are reported in status() and skipped.
  void request(std::vector<std::string> specs);
  // The trace under each Go release instead (one engine per release, each with its table: what
  // `spanscope-cli compare --profiles` runs), replacing the current choice; built on the next follow().
  void requestProfiles(std::vector<sim::GoVersion> profiles);
  // The releases being compared; empty when comparing size-class tables.
  const std::vector<sim::GoVersion>& profiles() const { return profiles_; }
  // A designed or optimised table joins the comparison (replacing one of the same name).
  void addTable(model::CompareTable t);
  const std::vector<std::string>& specs() const { return specs_; }

  // Keeps the comparison on `s`: builds it when the tables or the session changed, and moves its
  // cursor to the session's position. Cheap when nothing changed.
  void follow(const model::Session* s);
  const model::CompareSession* comparison() const { return cmp_.get(); }

  // Writes the comparison at the cursor (Markdown and CSV exactly as `spanscope-cli compare`
  // writes them; the PNG chart likewise). False with *error on failure.
  bool exportTo(ExportKind kind, const std::string& path, std::string* error) const;
  // Beside the trace file: "<trace without extension>-compare.md|csv|png" (the working directory
  // for generated workloads).
  std::string defaultExportPath(ExportKind kind) const;
  // exportTo(defaultExportPath or the panel's path) with the result in status().
  void exportNow(ExportKind kind, const std::string& path);
  const std::string& status() const { return status_; }

  // Windows the view owns besides the panel (ImGui; compare_view.cpp).
  void openDialog() { dialogOpen_ = true; }
  void openDesigner() { designer_.open = true; }
  void drawWindows(const model::Session* s);
  // True once after tables were chosen (the app then opens the Compare panel).
  bool takeOpenRequest();
  ClassDesigner& designer() { return designer_; }

 private:
  void rebuild(const model::Session& s);
  void drawDialog();

  std::vector<std::string> specs_{"go1.19"};
  std::vector<model::CompareTable> added_; // from the designer
  std::vector<sim::GoVersion> profiles_;   // non-empty: compare Go releases, not tables
  bool dirty_ = false;              // the choice changed since the last build
  bool built_ = false;              // a comparison was ever asked for (nothing runs until then)
  const model::Session* builtFor_ = nullptr;
  std::unique_ptr<model::CompareSession> cmp_;
  std::string status_;
  bool openRequest_ = false;
  bool dialogOpen_ = false;
  std::vector<char> dialogChecked_;
  std::vector<char> dialogAddedChecked_;
  char dialogPath_[512] = "";
  ClassDesigner designer_;
  sim::SizeHistogram histogram_; // of histogramFor_'s trace, for the designer without a comparison
  const model::Session* histogramFor_ = nullptr;
};

} // namespace gui
