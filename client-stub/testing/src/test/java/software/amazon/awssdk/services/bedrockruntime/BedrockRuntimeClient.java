package software.amazon.awssdk.services.bedrockruntime;

/** Stands in for the Amazon Bedrock runtime client in the fixtures of AiGovernanceRulesTest. */
public interface BedrockRuntimeClient {
    String invokeModel(String body);
}
