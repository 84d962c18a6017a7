"""A trained model for other frameworks, and models from them.

Targets (one module each, imported only when asked for, rnnlab.export.targets): ONNX
(to_onnx), PyTorch (to_torch), Keras (to_keras), safetensors (to_safetensors). verify.py
runs each written file in its own runtime against rnnlab's arithmetic (reference.py);
importer.py turns a torch state_dict or an rnnlab safetensors file into a run folder.
docs/export.md sets the weight layouts side by side.
"""
