"""Les tentatives du chapitre 1 : exercices 1.a (le moteur Value) et 1.b (le gradient de l'auto-encodeur)."""

from __future__ import annotations

from attempts.corpus import Attempt, book_solution, mutate

CHAPTER = "01_graphe_de_fonctions"

#: Les noms que le notebook a définis avant les exercices (imports, données).
CONTEXT = """
import math
import torch
"""

ATTEMPTS: list[Attempt] = []

# --- Exercice 1.a : le moteur Value -------------------------------------------------------

ENGINE = '''
class Value:
    def __init__(self, data, parents=(), local_grads=()):
        self.data = float(data)
        self.grad = 0.0
        self.parents = parents
        self.local_grads = local_grads

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other),
                     (other.data, self.data))

    def __pow__(self, k):
        return Value(self.data**k, (self,), (k * self.data**(k - 1),))

    def tanh(self):
        t = math.tanh(self.data)
        return Value(t, (self,), (1 - t**2,))

    def exp(self):
        e = math.exp(self.data)
        return Value(e, (self,), (e,))

    __radd__ = __add__
    __rmul__ = __mul__

    def backward(self):
        order, seen = [], set()

        def visit(node):
            if id(node) not in seen:
                seen.add(id(node))
                for parent in node.parents:
                    visit(parent)
                order.append(node)

        visit(self)
        self.grad = 1.0
        for node in reversed(order):
            pairs = zip(node.parents, node.local_grads)
            for parent, local in pairs:
                parent.grad += node.grad * local
'''
NAIVE_BACKWARD = '''    def backward(self):
        self.grad = 1.0

        def push(node):
            for parent, local in zip(node.parents, node.local_grads):
                parent.grad += node.grad * local
                push(parent)

        push(self)
'''
KAHN_BACKWARD = '''    def backward(self):
        users, stack, seen = {}, [self], {id(self)}
        while stack:  # compter, pour chaque nœud, ceux qui l'utilisent
            node = stack.pop()
            for parent in node.parents:
                users[id(parent)] = users.get(id(parent), 0) + 1
                if id(parent) not in seen:
                    seen.add(id(parent))
                    stack.append(parent)
        self.grad, ready = 1.0, [self]
        while ready:  # un nœud passe quand tous ses utilisateurs sont passés
            node = ready.pop()
            for parent, local in zip(node.parents, node.local_grads):
                parent.grad += node.grad * local
                users[id(parent)] -= 1
                if users[id(parent)] == 0:
                    ready.append(parent)
'''
ENGINE_BACKWARD = ENGINE[ENGINE.index("    def backward(self):"):]

ATTEMPTS += [
    Attempt("ex-1a", "la solution du livre", book_solution("ex-1a"), None),
    Attempt("ex-1a", "ordre de Kahn : compter les utilisateurs de chaque nœud",
            ENGINE.replace(ENGINE_BACKWARD, KAHN_BACKWARD), None),
    Attempt("ex-1a", "les messages écrasés au lieu d'additionnés",
            ENGINE.replace("parent.grad += node.grad * local", "parent.grad = node.grad * local"),
            r"s'additionnent : parent.grad \+= …"),
    Attempt("ex-1a", "une récursion sans ordre topologique",
            ENGINE.replace(ENGINE_BACKWARD, NAIVE_BACKWARD), r"ordre topologique inverse"),
    Attempt("ex-1a", "la dérivée de tanh écrite 1 − t", ENGINE.replace("(1 - t**2,)", "(1 - t,)"),
            r"1 − tanh²"),
    Attempt("ex-1a", "la dérivée de xᵏ écrite k·x", ENGINE.replace("(k * self.data**(k - 1),)", "(k * self.data,)"),
            r"k·xᵏ⁻¹"),
    Attempt("ex-1a", "le gradient initial oublié", ENGINE.replace("        self.grad = 1.0\n", ""),
            r"part du gradient initial"),
    Attempt("ex-1a", "le produit laissé au squelette", ENGINE.replace(
        """        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other),
                     (other.data, self.data))""", "        ..."), r"complétez la méthode __mul__"),
]

# --- Exercice 1.b : les gradients de l'auto-encodeur à la main ---------------------------

HAND = '''
def autoencoder_gradients(x, theta, b1, b2):
    y = theta @ x + b1
    x_hat = theta.T @ y + b2
    delta = 2 * (x_hat - x)
    gamma = theta @ delta
    return {
        "b₂": delta,
        "θ": torch.outer(y, delta) + torch.outer(gamma, x),
        "b₁": gamma,
        "x": -delta + theta.T @ gamma,
    }
'''

ATTEMPTS += [
    Attempt("ex-1b", "la solution du livre", book_solution("ex-1b"), None),
    Attempt("ex-1b", "avec des produits extérieurs écrits par diffusion", HAND.replace(
        "torch.outer(y, delta) + torch.outer(gamma, x)", "y[:, None] * delta[None, :] + gamma[:, None] * x[None, :]"),
            None),
    Attempt("ex-1b", "autograd au lieu des formules", '''
def autoencoder_gradients(x, theta, b1, b2):
    leaves = [t.clone().requires_grad_() for t in (x, theta, b1, b2)]
    x_, t_, b1_, b2_ = leaves
    loss = ((x_ - (t_.T @ (t_ @ x_ + b1_) + b2_)) ** 2).sum()
    loss.backward()
    return dict(zip(("x", "θ", "b₁", "b₂"), (t.grad for t in leaves)))
''', r"appelle backward\(\)"),
    Attempt("ex-1b", "le terme direct de x oublié", HAND.replace('"x": -delta + theta.T @ gamma', '"x": theta.T @ gamma'),
            r"x sert deux fois"),
    Attempt("ex-1b", "un seul des deux chemins de θ", HAND.replace(
        "torch.outer(y, delta) + torch.outer(gamma, x)", "torch.outer(gamma, x)"), r"θ sert deux fois"),
    Attempt("ex-1b", "des tailles écrites en dur", HAND.replace("gamma = theta @ delta", "gamma = theta[:2] @ delta[:4]"),
            r"(a échoué|diffère)"),
]

