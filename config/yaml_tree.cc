#include "config/yaml_tree.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <cstddef>
#include <map>
#include <sstream>
#include <utility>

namespace weir::config {
namespace {

// Aliases are expanded by copying the anchored tree; this bounds what a small file
// of nested aliases ("billion laughs") can make us build.
constexpr size_t kMaxNodesPerDocument = 1'000'000;

TextPosition toPosition(const YAML::Mark& mark) {
  if (mark.is_null()) {
    return TextPosition{};
  }
  return TextPosition{mark.line + 1, mark.column + 1};
}

size_t countNodes(const YamlNode& node) {
  size_t count = 1;
  for (const YamlNode& item : node.items) {
    count += countNodes(item);
  }
  for (const YamlEntry& entry : node.entries) {
    count += countNodes(entry.key) + countNodes(entry.value);
  }
  return count;
}

// Builds one document's tree from the parser's events.
class TreeBuilder : public YAML::EventHandler {
 public:
  std::optional<YamlNode> takeRoot() { return std::exchange(root_, std::nullopt); }
  const YAML::Mark& documentStart() const { return document_start_; }

  void OnDocumentStart(const YAML::Mark& mark) override {
    document_start_ = mark;
    stack_.clear();
    anchors_.clear();
    root_.reset();
    node_count_ = 0;
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    YamlNode node;
    node.position = toPosition(mark);
    add(std::move(node), anchor, 1);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto found = anchors_.find(anchor);
    if (found == anchors_.end()) {
      // An alias of a collection from inside that same collection.
      throw YAML::ParserException(mark, "recursive alias is not supported");
    }
    add(found->second.node, YAML::NullAnchor, found->second.size);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    YamlNode node;
    node.kind = YamlNode::Kind::kScalar;
    node.position = toPosition(mark);
    node.scalar = value;
    node.quoted = tag != "?";  // yaml-cpp tags plain scalars "?", quoted ones "!"
    add(std::move(node), anchor, 1);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(YamlNode::Kind::kSequence, mark, anchor);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(YamlNode::Kind::kMap, mark, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  YAML::Mark document_start_;
  struct OpenCollection {
    YamlNode node;
    YAML::anchor_t anchor = YAML::NullAnchor;
    std::optional<YamlNode> pending_key;  // maps: a key waiting for its value
  };
  struct Anchored {
    YamlNode node;
    size_t size = 0;
  };

  void open(YamlNode::Kind kind, const YAML::Mark& mark, YAML::anchor_t anchor) {
    OpenCollection collection;
    collection.node.kind = kind;
    collection.node.position = toPosition(mark);
    collection.anchor = anchor;
    stack_.push_back(std::move(collection));
  }

  void close() {
    OpenCollection done = std::move(stack_.back());
    stack_.pop_back();
    const size_t size = countNodes(done.node);
    add(std::move(done.node), done.anchor, 1);
    if (done.anchor != YAML::NullAnchor) {
      anchors_[done.anchor].size = size;
    }
  }

  // Places a finished node in its parent; `size` is the number of new nodes it
  // brings (aliases copy whole trees), counted against the limit.
  void add(YamlNode node, YAML::anchor_t anchor, size_t size) {
    node_count_ += size;
    if (node_count_ > kMaxNodesPerDocument) {
      throw YAML::ParserException(YAML::Mark::null_mark(),
                                  "document too large (more than 1000000 nodes after "
                                  "expanding aliases)");
    }
    if (anchor != YAML::NullAnchor) {
      anchors_[anchor] = Anchored{node, size};
    }
    if (stack_.empty()) {
      root_ = std::move(node);
      return;
    }
    OpenCollection& parent = stack_.back();
    if (parent.node.isSequence()) {
      parent.node.items.push_back(std::move(node));
    } else if (!parent.pending_key) {
      parent.pending_key = std::move(node);
    } else {
      parent.node.entries.push_back(YamlEntry{std::move(*parent.pending_key), std::move(node)});
      parent.pending_key.reset();
    }
  }

  std::vector<OpenCollection> stack_;
  std::map<YAML::anchor_t, Anchored> anchors_;
  std::optional<YamlNode> root_;
  size_t node_count_ = 0;
};

}  // namespace

YamlStream parseYamlStream(const std::string& text) {
  YamlStream stream;
  std::istringstream input(text);
  YAML::Parser parser(input);
  TreeBuilder builder;
  try {
    std::optional<int> previous_start;
    while (parser.HandleNextDocument(builder)) {
      std::optional<YamlNode> root = builder.takeRoot();
      const YAML::Mark& start = builder.documentStart();
      if ((!root || root->isNull()) && previous_start == start.pos) {
        // yaml-cpp 0.7 (Debian 12) reports an endless run of empty documents at
        // the same place for some input (a stray ',' at the top: yaml-cpp issue
        // 1040); an empty document that does not advance is a syntax error.
        stream.error = YamlSyntaxError{toPosition(start), "unexpected character here"};
        break;
      }
      previous_start = start.pos;
      if (root && !root->isNull()) {
        stream.documents.push_back(std::move(*root));
      }
    }
  } catch (const YAML::Exception& e) {
    stream.error = YamlSyntaxError{toPosition(e.mark), e.msg};
  }
  return stream;
}

std::string describeNode(const YamlNode& node) {
  switch (node.kind) {
    case YamlNode::Kind::kNull:
      return "a null value";
    case YamlNode::Kind::kMap:
      return "a map";
    case YamlNode::Kind::kSequence:
      return "a list";
    case YamlNode::Kind::kScalar:
      break;
  }
  return "\"" + node.scalar + "\"";
}

}  // namespace weir::config
