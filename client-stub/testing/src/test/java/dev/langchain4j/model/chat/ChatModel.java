package dev.langchain4j.model.chat;

/** Stands in for LangChain4j's chat model in the fixtures of AiGovernanceRulesTest. */
public interface ChatModel {
    String chat(String message);
}
