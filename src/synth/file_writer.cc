#include "synth/file_writer.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "synth/calendar.h"

namespace leadscore::synth {

Result<std::unique_ptr<FileWriter>> FileWriter::Open(const std::string& path) {
  auto output = PendingOutput::Open(path);
  if (!output) return Error(InvalidArgument(output.error().message()));
  return std::unique_ptr<FileWriter>(new FileWriter(path, std::move(*output)));
}

FileWriter::FileWriter(std::string path, PendingOutput output)
    : path_(std::move(path)),
      output_(std::move(output)),
      file_(output_.file()),
      buffer_(new char[kCapacity]) {
  std::setvbuf(file_, nullptr, _IONBF, 0);  // our buffer is the only one
}

// Not committed (the run failed before this file, or another, was complete): output_ removes
// what was written.
FileWriter::~FileWriter() = default;

void FileWriter::WriteThrough(std::string_view text) {
  if (!error_.empty() || file_ == nullptr) return;
  if (std::fwrite(text.data(), 1, text.size(), file_) != text.size()) {
    error_ = "cannot write " + path_ + ": " + std::strerror(errno);
  }
  flushed_ += text.size();
}

void FileWriter::FlushBuffer() {
  WriteThrough(std::string_view(buffer_.get(), size_));
  size_ = 0;
}

void FileWriter::AppendUint(uint64_t v, int min_width) {
  char* out = Reserve(static_cast<size_t>(std::max(20, min_width)));
  size_ += static_cast<size_t>(WriteUint(out, v, min_width) - out);
}

void FileWriter::AppendIsoSeconds(int64_t seconds) {
  char* out = Reserve(kIsoSecondsLength);
  WriteIsoSeconds(out, seconds);
  size_ += kIsoSecondsLength;
}

void FileWriter::AppendCsvField(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    Append(text);
    return;
  }
  Append('"');
  for (char c : text) {
    if (c == '"') Append('"');
    Append(c);
  }
  Append('"');
}

Status FileWriter::Finish() {
  if (file_ == nullptr) return error_.empty() ? Status::Ok() : DataLoss(error_);
  FlushBuffer();
  file_ = nullptr;
  if (Status closed = output_.Close(); !closed.ok() && error_.empty()) error_ = closed.message();
  if (!error_.empty()) {
    output_.Discard();
    return DataLoss(error_);
  }
  finished_ = true;
  return Status::Ok();
}

Status FileWriter::Commit() {
  LS_RETURN_IF_ERROR(Finish());
  if (!finished_) return Status::Ok();  // committed before
  finished_ = false;
  if (Status committed = output_.Commit(); !committed.ok()) {
    error_ = committed.message();
    return DataLoss(error_);
  }
  return Status::Ok();
}

}  // namespace leadscore::synth
