package com.openai.client;

/** Stands in for the OpenAI SDK's client in the fixtures of AiGovernanceRulesTest. */
public class OpenAIClient {
    public String complete(String prompt) {
        return "completion of " + prompt;
    }
}
