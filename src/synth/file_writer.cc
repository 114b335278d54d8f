#include "synth/file_writer.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "synth/calendar.h"

namespace leadscore::synth {

Result<std::unique_ptr<FileWriter>> FileWriter::Open(const std::string& path) {
  std::FILE* file = std::fopen((path + ".tmp").c_str(), "wb");
  if (file == nullptr) {
    return Error(InvalidArgument("cannot create " + path + ": " + std::strerror(errno)));
  }
  return std::unique_ptr<FileWriter>(new FileWriter(path, file));
}

FileWriter::FileWriter(std::string path, std::FILE* file)
    : path_(std::move(path)), tmp_(path_ + ".tmp"), file_(file), buffer_(new char[kCapacity]) {
  std::setvbuf(file_, nullptr, _IONBF, 0);  // our buffer is the only one
}

FileWriter::~FileWriter() {
  // Not committed: the run failed before this file, or another, was complete.
  if (file_ != nullptr) std::fclose(file_);
  if (file_ != nullptr || finished_) std::remove(tmp_.c_str());
}

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
  if (std::fclose(file_) != 0 && error_.empty()) {
    error_ = "cannot write " + path_ + ": " + std::strerror(errno);
  }
  file_ = nullptr;
  if (!error_.empty()) {
    std::remove(tmp_.c_str());
    return DataLoss(error_);
  }
  finished_ = true;
  return Status::Ok();
}

Status FileWriter::Commit() {
  LS_RETURN_IF_ERROR(Finish());
  if (!finished_) return Status::Ok();  // committed before
  finished_ = false;
  if (std::rename(tmp_.c_str(), path_.c_str()) != 0) {
    error_ = "cannot write " + path_ + ": " + std::strerror(errno);
    std::remove(tmp_.c_str());
    return DataLoss(error_);
  }
  return Status::Ok();
}

}  // namespace leadscore::synth
