/**
 * Explanations of ONNX segmentation models: Seg-Grad-CAM through graph surgery and batched
 * directional derivatives (no gradients needed from the runtime), Score-CAM and Eigen-CAM,
 * heat-inside-lesion numbers, and UMAP maps of images and model features with an
 * out-of-distribution check. Results: `heatmaps/<model>/<id>.png`, `explain.json`, `umap.json`.
 */
export { analyzeGraph, constantNodes, downstreamNodes, nodeInputs, upstreamNodes } from './graphTopology';
export type { GraphTopology } from './graphTopology';
export { cutGraph, decodeModel, encodeModel, exposeTensors, NOT_CUTTABLE_CODE, tensorNames, UNKNOWN_TENSOR_CODE } from './graphSurgery';
export type { CutOptions, GraphCut } from './graphSurgery';
export { AUTO_LAYER_RULE, chooseAutoLayer, layerCandidates } from './layers';
export type { LayerCandidate, ProbedTensor } from './layers';
export { activationScale, channelPlane, featureMapShape, weightedChannelSum } from './featureMap';
export type { FeatureMap } from './featureMap';
export { chooseStep, gradCamWeights, STEP_LADDER } from './gradCam';
export type { GradCamOptions, GradCamWeights, TailEvaluator } from './gradCam';
export { channelMask, scoreCamWeights, softmax } from './scoreCam';
export type { InputShape, ModelEvaluator, ScoreCamWeights } from './scoreCam';
export { eigenCam, orientationSign } from './eigenCam';
export type { EigenCamResult } from './eigenCam';
export { jacobiEigen, leadingEigen } from './linalg';
export { heatFractions } from './heatFractions';
export type { HeatFractions } from './heatFractions';
export { encodeHeatmapPng, quantiseHeat } from './heatmapPng';
export { ModelExplainer } from './modelExplainer';
export { probeCandidates, resolveLayer } from './layerProbe';
export type { ModelGraph } from './layerProbe';
export { RUN_FAILED_CODE } from './sessionErrors';
export type { CamMethod, CamTarget, ChosenLayer, ExplainImageOptions, ExplainerOptions, ImageExplanation } from './modelExplainer';
export { LayerFeatures } from './layerFeatures';
export { casesToExplain, IMAGE_RULE, pickEvenly, sliceWithMostForeground } from './selectImages';
export { explainExperiment } from './explainPipeline';
export type { ExplainOptions, ExplainProgress, ExplainResult } from './explainPipeline';
export type { ExplainedImage, ExplainedModel, ExplainReport } from './explainReport';
export { listModelLayers } from './listLayers';
export type { ModelLayers } from './listLayers';
export * from './umap';
