//===- Metrics.h - Training metrics: JSONL log and an SVG plot --*- C++ -*-===//
#ifndef CLIP_RUNTIME_TRAIN_METRICS_H
#define CLIP_RUNTIME_TRAIN_METRICS_H

#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace clip::train {

/// Appends one JSON object per record to a file, flushed each time (a
/// killed run keeps every record written).
class MetricsLog {
public:
  /// Opens `path` (appending when `append`, e.g. on resume).
  MetricsLog(const std::string &path, bool append);
  void write(const std::map<std::string, double> &values,
             const std::string &kind);

private:
  std::string path;
  std::ofstream out;
};

struct Series {
  std::string name;
  std::vector<std::pair<double, double>> points; // (step, value)
};

/// A line chart of the series over steps, one panel per series, as SVG
/// (no dependencies; any browser shows it).
void writeSvgPlot(const std::string &path, const std::string &title,
                  const std::vector<Series> &series);

/// Reads back the series of a MetricsLog file (for the plot after resume).
std::vector<Series> readSeries(const std::string &path,
                               const std::vector<std::string> &names);

} // namespace clip::train

#endif // CLIP_RUNTIME_TRAIN_METRICS_H
